import { ConfigError } from '@kaskade/processor-api';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import type { ConsumedMessage, TopicPartition } from '../kafka/kafka-types.js';
import type { Topology } from '../topology/topology.js';

interface Bucket {
  readonly ratePerMs: number;
  readonly capacity: number;
  tokens: number;
  lastMs: number;
  /** Records of the current batch. */
  taken: number;
  /** Set while the topic's partitions are paused: when, and when the budget is back above zero. */
  pausedSinceMs: number | undefined;
  resumeAtMs: number;
  throttledMs: number;
}

/**
 * `maxRecordsPerSecondByTopic`: a token bucket per source topic. A batch takes tokens for the records it brought of
 * each topic; a topic whose bucket goes below zero has its partitions paused in the consumer (fetching stops for that
 * topic only) until the debt is paid back, then resumed — by the poll loop between batches, never per record. A batch
 * may overshoot by up to `maxPollRecords`; the pause that follows makes up for it, so the rate holds on average.
 */
export class TopicRateLimits {
  readonly #buckets = new Map<string, Bucket>();

  constructor(limits: { readonly [topic: string]: number }, nowMs = Date.now()) {
    for (const [topic, rate] of Object.entries(limits)) {
      const capacity = Math.max(1, rate / 2);
      this.#buckets.set(topic, {
        ratePerMs: rate / 1000,
        capacity,
        tokens: capacity,
        lastMs: nowMs,
        taken: 0,
        pausedSinceMs: undefined,
        resumeAtMs: 0,
        throttledMs: 0,
      });
    }
  }

  /** Checks that every limited topic is a source topic of the topology (at construction, naming the topic). */
  static check(limits: { readonly [topic: string]: number } | undefined, topology: Topology): void {
    if (limits === undefined) return;
    const internal = topology.internalTopics();
    const sources = new Set(topology.subtopologies().flatMap((s) => s.sourceTopics.filter((t) => !internal.has(t))));
    const issues = Object.keys(limits)
      .filter((t) => !sources.has(t))
      .map((t) => ({
        field: `maxRecordsPerSecondByTopic.${t}`,
        message: `"${t}" is not a source topic of the topology (sources: ${[...sources].join(', ')})`,
      }));
    if (issues.length > 0) {
      throw new ConfigError(
        `invalid configuration:\n${issues.map((i) => `  - ${i.field}: ${i.message}`).join('\n')}`,
        issues,
      );
    }
  }

  /**
   * Before a batch: resumes the topics whose budget is back (not while the instance is paused by the user), except
   * partitions `heldElsewhere` says another pause still holds (a saturated task's asynchronous backpressure).
   */
  beforeBatch(
    consumer: ConsumerClient,
    nowMs: number,
    instancePaused: boolean,
    heldElsewhere?: (tp: TopicPartition) => boolean,
  ): void {
    if (instancePaused) return;
    for (const [topic, b] of this.#buckets) {
      if (b.pausedSinceMs === undefined || nowMs < b.resumeAtMs) continue;
      consumer.resume(consumer.assignments().filter((tp) => tp.topic === topic && !heldElsewhere?.(tp)));
      b.throttledMs += nowMs - b.pausedSinceMs;
      b.pausedSinceMs = undefined;
    }
  }

  /** After a batch: takes each topic's tokens, and pauses the partitions of a topic whose budget is spent. */
  afterBatch(messages: readonly ConsumedMessage[], consumer: ConsumerClient, nowMs: number): void {
    if (messages.length === 0) return;
    for (const m of messages) {
      const b = this.#buckets.get(m.topic);
      if (b !== undefined) b.taken++;
    }
    for (const [topic, b] of this.#buckets) {
      if (b.taken === 0) continue;
      b.tokens = Math.min(b.capacity, b.tokens + (nowMs - b.lastMs) * b.ratePerMs) - b.taken;
      b.lastMs = nowMs;
      b.taken = 0;
      if (b.tokens >= 0) continue;
      // Paused again even when already paused: a rebalance may have assigned it more partitions meanwhile.
      consumer.pause(consumer.assignments().filter((tp) => tp.topic === topic));
      b.resumeAtMs = nowMs + -b.tokens / b.ratePerMs;
      b.pausedSinceMs ??= nowMs;
    }
  }

  /** Whether the topic's partitions are paused for its budget: other pauses must not resume them. */
  holds(topic: string): boolean {
    return this.#buckets.get(topic)?.pausedSinceMs !== undefined;
  }

  /** Milliseconds each topic has been paused for its budget (`metrics().throttledMsByTopic`). */
  throttledMsByTopic(nowMs = Date.now()): { [topic: string]: number } {
    const out: { [topic: string]: number } = {};
    for (const [topic, b] of this.#buckets) {
      out[topic] = b.throttledMs + (b.pausedSinceMs === undefined ? 0 : nowMs - b.pausedSinceMs);
    }
    return out;
  }
}
