import type { Histogram } from 'prom-client';
import type { StreamTask } from '../runtime/stream-task.js';

/**
 * Numbers the processing loop bumps once per batch or per commit (never per record) when metrics are on. An
 * instance without metrics has no `InstanceCounters` at all, and its loop skips the calls.
 */
export class InstanceCounters {
  rebalances = 0;
  /** Seconds spent processing records (tasks' `process` and punctuation), summed over batches. */
  processSeconds = 0;
  batches = 0;
  /** Seconds spent committing, summed. */
  commitSeconds = 0;
  readonly #commitLatency: Histogram.Internal<string> | undefined;
  readonly #e2e: (topic: string) => Histogram.Internal<string> | undefined;
  readonly #e2eByTopic = new Map<string, Histogram.Internal<string> | undefined>();

  constructor(
    commitLatency: Histogram.Internal<string> | undefined,
    e2e: (topic: string) => Histogram.Internal<string> | undefined,
  ) {
    this.#commitLatency = commitLatency;
    this.#e2e = e2e;
  }

  commitDone(seconds: number): void {
    this.commitSeconds += seconds;
    this.#commitLatency?.observe(seconds);
  }

  /**
   * After a batch: the end-to-end latency (wall clock minus record timestamp, as Kafka Streams'
   * `record-e2e-latency`) of the last record the task processed, sampled once per task and batch.
   */
  taskProcessed(task: StreamTask, nowMs: number): void {
    const { topic, timestamp } = task.context;
    if (topic === undefined || timestamp < 0) return;
    let child = this.#e2eByTopic.get(topic);
    if (child === undefined && !this.#e2eByTopic.has(topic)) {
      child = this.#e2e(topic);
      this.#e2eByTopic.set(topic, child);
    }
    child?.observe(Math.max(0, nowMs - timestamp) / 1000);
  }
}
