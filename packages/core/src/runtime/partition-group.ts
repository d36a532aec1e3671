import type { RecordQueue } from './record-queue.js';

/**
 * Where a task learns how far behind the broker each of its input partitions is. `fetchedLag` answers -1 while the
 * lag is not known yet, 0 when every record on the broker has been fetched (or the lag is not worth waiting for any
 * longer: see `ConsumerLags`), and a positive number when records are known to be waiting there; `fetchedPosition` is
 * the offset after the last record the task received from the partition (-1: none since it was assigned or rewound),
 * `nowMs` the task's wall clock. It is asked only when a partition's queue is empty, never per record.
 */
export interface FetchedLags {
  fetchedLag(topic: string, partition: number, fetchedPosition: number, nowMs: number): number;
}

/** Task idling: `maxTaskIdleMs` (-1 = never wait) and the lags it is decided by. */
export interface TaskIdling {
  readonly maxTaskIdleMs: number;
  readonly lags: FetchedLags;
}

/**
 * The input partitions of a task and which one gives the next record: the one whose head is the oldest, but only
 * when the task is ready to process (Kafka Streams' `PartitionGroup.readyToProcess`, KIP-695). A partition with
 * nothing buffered holds the task back while its lag is unknown or positive (its records are on the way and may be
 * older than what is buffered elsewhere); once it is known to be caught up the task waits `maxTaskIdleMs` more for
 * it, then processes the other partitions without it ("enforced processing"). With `maxTaskIdleMs` -1 the task
 * never waits.
 *
 * @see org.apache.kafka.streams.processor.internals.PartitionGroup
 */
export class PartitionGroup {
  readonly #queues: readonly RecordQueue[];
  readonly #maxTaskIdleMs: number;
  readonly #lags: FetchedLags | undefined;
  /** Per queue: the wall-clock time its idling ends, -1 while it is not idling. */
  readonly #idleDeadlines: number[];
  /** True while some partition has an idle deadline. */
  #idleStarted = false;

  constructor(queues: readonly RecordQueue[], idling: TaskIdling | undefined) {
    this.#queues = queues;
    this.#maxTaskIdleMs = idling?.maxTaskIdleMs ?? -1;
    this.#lags = idling?.lags;
    this.#idleDeadlines = queues.map(() => -1);
  }

  /**
   * The queue to take the next record from, or undefined when nothing may be processed now: no queue has a record,
   * or the task must wait for a partition (see the class comment). A single-partition task never waits.
   */
  next(wallClockMs: number): RecordQueue | undefined {
    const queues = this.#queues;
    let oldest: RecordQueue | undefined;
    let empty = false;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i]!;
      if (!q.hasHead()) {
        empty = true;
        continue;
      }
      if (oldest === undefined || q.headTimestamp < oldest.headTimestamp) oldest = q;
    }
    if (!empty) {
      // Every partition has data: idling that had started is over (Kafka Streams clears it on this path too).
      if (this.#idleStarted) this.#clearDeadlines();
      return oldest;
    }
    if (oldest === undefined || queues.length === 1) return oldest;
    return this.readyToProcess(wallClockMs) ? oldest : undefined;
  }

  /**
   * Whether a task that has some buffered records may process now, given the partitions that have none. Resets
   * the idle deadline of every partition that has data or is known to be behind.
   */
  readyToProcess(wallClockMs: number): boolean {
    const lags = this.#lags;
    if (this.#maxTaskIdleMs < 0 || lags === undefined) return true;
    const queues = this.#queues;
    const deadlines = this.#idleDeadlines;
    let queued = false;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i]!;
      if (q.hasHead()) {
        deadlines[i] = -1;
        queued = true;
        continue;
      }
      const lag = lags.fetchedLag(q.topic, q.partition, q.fetchedPosition, wallClockMs);
      if (lag !== 0) {
        // Unknown (-1): wait for the first fetch to tell; positive: wait for the records known to be there.
        deadlines[i] = -1;
        return false;
      }
      // Caught up: wait maxTaskIdleMs from now for more data to show up.
      if (deadlines[i]! < 0) {
        deadlines[i] = wallClockMs + this.#maxTaskIdleMs;
        this.#idleStarted = true;
      }
      if (wallClockMs < deadlines[i]!) return false;
      // Idled long enough: the task goes on without this partition (Kafka Streams' "enforced processing").
    }
    return queued;
  }

  #clearDeadlines(): void {
    this.#idleDeadlines.fill(-1);
    this.#idleStarted = false;
  }
}
