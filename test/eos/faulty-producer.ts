// Fault injection for exactly-once tests: a producer whose transaction calls fail on demand, the way librdkafka
// reports such failures (retriable, abortable, timed out).
import { KafkaOperationError } from '@kaskade/core';
import type { ConsumerClient, ProducerClient, TopicPartitionOffset, WireHeaders } from '@kaskade/core/internal';

export type InjectedFault = 'retriable' | 'abortable' | 'timeout';

export interface FaultPlan {
  /** Which failure `commitTransaction` reports. */
  readonly fault: InjectedFault;
  /** Fail this many commits in a row... */
  readonly times: number;
  /** ...starting with the commit number `after + 1` (commits that had records). */
  readonly after: number;
}

const ERRORS: {
  [F in InjectedFault]: { message: string; code: number; isRetriable?: boolean; isTxnRequiresAbort?: boolean };
} = {
  retriable: { message: 'injected: coordinator not available', code: 15, isRetriable: true },
  abortable: { message: 'injected: transaction requires abort', code: 48, isTxnRequiresAbort: true },
  timeout: { message: 'injected: local timed out', code: -185, isRetriable: true },
};

/**
 * Wraps the producer the instance would have had (the native one or the Kafka client's: `producerFactory`'s
 * `createDefault`) and fails its commits as planned.
 */
export class FaultyProducer implements ProducerClient {
  readonly #inner: ProducerClient;
  readonly #plan: FaultPlan;
  readonly #onInject: () => void;
  readonly #injectedSoFar: () => number;
  commits = 0;

  /** `onInject`/`injectedSoFar` count across producers, so a replacement producer continues the same plan. */
  constructor(inner: ProducerClient, plan: FaultPlan, onInject: () => void, injectedSoFar: () => number) {
    this.#inner = inner;
    this.#plan = plan;
    this.#onInject = onInject;
    this.#injectedSoFar = injectedSoFar;
  }

  get reportsEveryDelivery(): boolean {
    return this.#inner.reportsEveryDelivery;
  }

  async commitTransaction(timeoutMs?: number): Promise<void> {
    this.commits++;
    if (this.commits > this.#plan.after && this.#injectedSoFar() < this.#plan.times) {
      this.#onInject();
      if (this.#plan.fault === 'timeout') await new Promise((r) => setTimeout(r, 200));
      throw new KafkaOperationError('commitTransaction', ERRORS[this.#plan.fault]);
    }
    return this.#inner.commitTransaction(timeoutMs);
  }

  connect(timeoutMs?: number): Promise<void> {
    return this.#inner.connect(timeoutMs);
  }

  produce(
    topic: string,
    partition: number,
    value: Buffer | null,
    key: Buffer | null,
    timestamp: number,
    headers?: WireHeaders,
  ): boolean {
    return this.#inner.produce(topic, partition, value, key, timestamp, headers);
  }

  flush(timeoutMs?: number): Promise<void> {
    return this.#inner.flush(timeoutMs);
  }

  initTransactions(timeoutMs?: number): Promise<void> {
    return this.#inner.initTransactions(timeoutMs);
  }

  beginTransaction(): Promise<void> {
    return this.#inner.beginTransaction();
  }

  sendOffsetsToTransaction(
    offsets: readonly TopicPartitionOffset[],
    consumer: ConsumerClient,
    timeoutMs?: number,
  ): Promise<void> {
    return this.#inner.sendOffsetsToTransaction(offsets, consumer, timeoutMs);
  }

  abortTransaction(timeoutMs?: number): Promise<void> {
    return this.#inner.abortTransaction(timeoutMs);
  }

  disconnect(timeoutMs?: number): Promise<void> {
    return this.#inner.disconnect(timeoutMs);
  }
}
