import type { Record } from './record.js';
import type { TaskId } from './task-id.js';

/** What one attempt of an asynchronous call knows about itself. */
export interface AsyncAttempt {
  /** Aborted when the attempt times out or the task gives its work up (rebalance, close): pass it to `fetch`. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  readonly taskId: TaskId;
}

/**
 * A processor whose work is asynchronous: a database lookup, an HTTP call. `process` returns the records to forward
 * (none, one or many); the runtime forwards them downstream when the promise settles, on its own loop, with the
 * context of the input record (timestamp, headers, topic, partition, offset).
 *
 * Records with the same key are processed one at a time in input order; records with different keys run
 * concurrently, up to the operator's `concurrency` per task. A partition's committed offset never passes its oldest
 * unfinished record, so nothing is lost when an instance dies with calls in flight.
 *
 * ```ts
 * const enrich: AsyncProcessor<string, Order, string, EnrichedOrder> = {
 *   async process(record, { signal }) {
 *     const res = await fetch(`http://customers/${record.value.customerId}`, { signal });
 *     return [record.withValue({ ...record.value, customer: await res.json() })];
 *   },
 * };
 * ```
 */
export interface AsyncProcessor<KIn, VIn, KOut = never, VOut = never> {
  /** Called once per task before the first record. */
  init?(taskId: TaskId): void;
  process(record: Record<KIn, VIn>, attempt: AsyncAttempt): Promise<readonly Record<KOut, VOut>[]>;
  /** Called when the task closes, after its in-flight work was finished or abandoned. */
  close?(): void;
}

/** Makes a new asynchronous processor per task (or returns a stateless shared one). */
export interface AsyncProcessorSupplier<KIn, VIn, KOut = never, VOut = never> {
  get(): AsyncProcessor<KIn, VIn, KOut, VOut>;
}

/** Delay before retry n (1-based): `min(maxMs, initialMs * multiplier^(n-1))`. */
export interface AsyncBackoff {
  /** Default 100. */
  readonly initialMs?: number;
  /** Default 10 000. */
  readonly maxMs?: number;
  /** Default 2. */
  readonly multiplier?: number;
}

/** Settings of an asynchronous operator; each applies per task. */
export interface AsyncProcessingOptions {
  /** Calls in flight at once per task (different keys). Default 16. */
  readonly concurrency?: number;
  /** Time one attempt may take before it is aborted and counted as failed. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Attempts after the first one fails. Default 0. */
  readonly retries?: number;
  readonly backoff?: AsyncBackoff;
  /**
   * Records the operator holds per task (running, waiting for their key, or finished and waiting to be forwarded)
   * before the task stops taking input and its partitions stop fetching. Default `max(100, 10 * concurrency)`.
   */
  readonly maxInFlight?: number;
}
