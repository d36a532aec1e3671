import type { Logger } from '../config/logger.js';
import { KafkaOperationError } from '../kafka/kafka-client-error.js';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import type { ProducerClient } from '../kafka/producer-client.js';
import type { TopicPartitionOffset, WireHeaders } from '../kafka/kafka-types.js';

/** librdkafka codes that mean another producer with our transactional id (or a newer epoch) took over. */
const FENCED_CODES = new Set([-144 /* _FENCED */, 90 /* PRODUCER_FENCED */, 47 /* INVALID_PRODUCER_EPOCH */]);
/** librdkafka's "fatal error" state, which a fenced producer reports on every later call. */
const FATAL = -150;
/**
 * librdkafka's "erroneous state": the transactional producer was asked to do something its transaction state does not
 * allow (a record sent between an abort and the next begin, seen once while a corrupted store was being rebuilt under
 * load). `StreamsProducer.produce` holds such records back now; should the state still be reached, nothing of it was
 * committed, so replacing the producer and rewinding to the last commit is safe; repeats escalate.
 */
const STATE = -172;
/**
 * librdkafka's timeout for each commit step (adding offsets, committing, aborting). A coordinator that moves with its
 * broker answers within seconds (7–12 s seen when the leader was killed); a step that takes longer is failed and the
 * transaction aborted or the producer replaced, rather than the instance waiting a minute per attempt.
 */
const COMMIT_STEP_TIMEOUT_MS = 30_000;
/** No retry of a commit step (retriable errors) starts later than this after the first attempt; then it is rewound. */
const COMMIT_RETRY_BUDGET_MS = 60_000;

/** A Kafka error an exactly-once instance recovers from by aborting (or replacing the producer) and rewinding. */
export function isTransactionError(e: unknown): e is KafkaOperationError {
  return e instanceof KafkaOperationError && (e.txnRequiresAbort || needsNewProducer(e));
}

/**
 * A failed commit (sending offsets, committing) that aborting or replacing the producer and rewinding deals with: a
 * transaction error, or one still retriable after the retries.
 */
export function isFailedCommit(e: unknown): e is KafkaOperationError {
  return e instanceof KafkaOperationError && (e.retriable || isTransactionError(e));
}

/** Fenced, fatal, or in an erroneous transaction state: the producer cannot be trusted any more, only replaced. */
export function needsNewProducer(e: KafkaOperationError): boolean {
  return e.fatal || FENCED_CODES.has(e.kafkaCode) || e.kafkaCode === FATAL || e.kafkaCode === STATE;
}

/** What a {@link StreamsProducer} is made with. */
export interface StreamsProducerOptions {
  readonly exactlyOnce: boolean;
  readonly logger: Logger;
  /** Makes a new, unconnected client (with the transactional id under exactly-once); called again on replacement. */
  readonly create: () => ProducerClient;
}

/**
 * The one owner of the instance's Kafka producer and of its transaction state: the record collector sends through it
 * and the commit protocol begins, commits and aborts through it. When a fenced or failed producer is replaced, only
 * this object changes hands, so nobody can keep using the old one.
 *
 * @see org.apache.kafka.streams.processor.internals.StreamsProducer
 */
export class StreamsProducer {
  readonly exactlyOnce: boolean;
  readonly #logger: Logger;
  readonly #create: () => ProducerClient;
  #client: ProducerClient | undefined;
  #inTransaction = false;
  /**
   * Exactly-once outside a transaction: a record handed to librdkafka now would put the producer into an erroneous
   * state (ERR__STATE) — e.g. a processor's `init` writing to a store while a task is revived after an abort. Such a
   * record is refused like one that finds the queue full: the collector keeps it, in order, and hands it over once
   * {@link maybeBeginTransaction} has begun the next transaction.
   */
  #holdSends: boolean;

  constructor(options: StreamsProducerOptions) {
    this.exactlyOnce = options.exactlyOnce;
    this.#logger = options.logger;
    this.#create = options.create;
    this.#holdSends = options.exactlyOnce;
  }

  /** Makes and connects the client; under exactly-once also fences older producers with the same transactional id. */
  async connect(): Promise<void> {
    const client = this.#create();
    this.#client = client;
    await client.connect();
    if (this.exactlyOnce) await client.initTransactions();
  }

  /** Whether every record's outcome is reported with its offset (see ProducerClient.reportsEveryDelivery). */
  get reportsEveryDelivery(): boolean {
    return this.#client?.reportsEveryDelivery ?? false;
  }

  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  /**
   * Queues one record without waiting. False when it cannot be taken now (librdkafka's queue is full, or, under
   * exactly-once, no transaction is open): the caller keeps it and tries again after {@link maybeBeginTransaction} and
   * {@link flush}.
   */
  produce(
    topic: string,
    partition: number,
    value: Buffer | null,
    key: Buffer | null,
    timestamp: number,
    headers: WireHeaders | undefined,
  ): boolean {
    if (this.#holdSends) return false;
    return this.#client!.produce(topic, partition, value, key, timestamp, headers);
  }

  /** Waits until every queued record is delivered or failed. */
  flush(timeoutMs?: number): Promise<void> {
    return this.#client!.flush(timeoutMs);
  }

  /** Exactly-once: opens the transaction that the next records (output, changelog, offsets) belong to. */
  async maybeBeginTransaction(): Promise<void> {
    if (!this.exactlyOnce || this.#inTransaction) return;
    await this.#client!.beginTransaction();
    this.#inTransaction = true;
    this.#holdSends = false;
  }

  /** Exactly-once: adds the input offsets (when any) to the open transaction and commits it. */
  async commitTransaction(offsets: readonly TopicPartitionOffset[], consumer: ConsumerClient): Promise<void> {
    const client = this.#client!;
    if (offsets.length > 0) {
      await this.#retrying('sendOffsetsToTransaction', () =>
        client.sendOffsetsToTransaction(offsets, consumer, COMMIT_STEP_TIMEOUT_MS),
      );
    }
    await this.#retrying('commitTransaction', () => client.commitTransaction(COMMIT_STEP_TIMEOUT_MS));
    this.#endTransaction();
  }

  /**
   * After a failed transaction: a producer that is fenced, fatal or in an erroneous state is replaced; otherwise the
   * transaction is aborted (and the producer replaced when even that fails). Either way no transaction is open after.
   */
  async abortOrReplace(cause: Error): Promise<void> {
    if (cause instanceof KafkaOperationError && needsNewProducer(cause)) await this.replace();
    else {
      await this.#client!.abortTransaction(COMMIT_STEP_TIMEOUT_MS).catch(async (abortError: unknown) => {
        this.#logger.warn(`abortTransaction failed, replacing the producer: ${(abortError as Error).message}`);
        await this.replace();
      });
    }
    this.#endTransaction();
  }

  /** Best effort, when the instance fails: abort the open transaction so read_committed readers are not held up. */
  async abandon(): Promise<void> {
    if (!this.#inTransaction) return;
    this.#endTransaction();
    await this.#client?.abortTransaction(10_000).catch(() => undefined);
  }

  /** Disconnects the client and makes, connects and (exactly-once) initializes a new one. */
  async replace(): Promise<void> {
    await this.#client?.disconnect(5_000).catch(() => undefined);
    this.#endTransaction();
    await this.connect();
  }

  /** Flushes what is queued (best effort) and disconnects. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    await client.flush(10_000).catch(() => undefined);
    await client.disconnect();
  }

  #endTransaction(): void {
    this.#inTransaction = false;
    this.#holdSends = this.exactlyOnce;
  }

  /** Retries an operation while librdkafka says the error is retriable; none starts after COMMIT_RETRY_BUDGET_MS. */
  async #retrying(what: string, op: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + COMMIT_RETRY_BUDGET_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await op();
        return;
      } catch (e) {
        if (!(e instanceof KafkaOperationError) || !e.retriable || e.txnRequiresAbort || e.fatal) throw e;
        if (attempt >= 10 || Date.now() >= deadline) throw e;
        this.#logger.warn(`${what} failed (attempt ${attempt}), retrying: ${e.message}`);
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }
}
