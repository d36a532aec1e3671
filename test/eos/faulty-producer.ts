// Fault injection for exactly-once tests: a producer whose transaction calls fail on demand, the way librdkafka
// reports such failures (retriable, abortable, timed out).
import { KafkaOperationError } from '@kaskade/core';
import { KafkaProducerClient } from '@kaskade/core/internal';
import type { ProducerClientOptions } from '@kaskade/core/internal';

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

export class FaultyProducer extends KafkaProducerClient {
  readonly #plan: FaultPlan;
  readonly #onInject: () => void;
  readonly #injectedSoFar: () => number;
  commits = 0;

  /** `onInject`/`injectedSoFar` count across producers, so a replacement producer continues the same plan. */
  constructor(options: ProducerClientOptions, plan: FaultPlan, onInject: () => void, injectedSoFar: () => number) {
    super(options);
    this.#plan = plan;
    this.#onInject = onInject;
    this.#injectedSoFar = injectedSoFar;
  }

  override async commitTransaction(timeoutMs?: number): Promise<void> {
    this.commits++;
    if (this.commits > this.#plan.after && this.#injectedSoFar() < this.#plan.times) {
      this.#onInject();
      if (this.#plan.fault === 'timeout') await new Promise((r) => setTimeout(r, 200));
      throw new KafkaOperationError('commitTransaction', ERRORS[this.#plan.fault]);
    }
    return super.commitTransaction(timeoutMs);
  }
}
