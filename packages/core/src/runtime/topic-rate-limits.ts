import { ConfigError } from '@kaskade/processor-api';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import type { ConsumedMessage, TopicPartition } from '../kafka/kafka-types.js';
import type { Topology } from '../topology/topology.js';

/** One assigned partition of a limited topic: its share of the topic's budget, and whether it is held. */
interface PartitionBucket {
  tokens: number;
  lastMs: number;
  /** Held: paused, its first record not admitted yet is where fetching starts again. */
  held: boolean;
  resumeAtMs: number;
  /** The offset to seek back to while a seek is outstanding or has to be tried again; undefined once done. */
  seekTo: number | undefined;
  seeking: boolean;
}

interface TopicBudget {
  readonly ratePerMs: number;
  readonly capacity: number;
  /** What idle partitions' shares overflow into, for busy partitions to use: the topic keeps its whole rate. */
  spare: number;
  readonly partitions: Map<number, PartitionBucket>;
  /** Since when at least one partition has been held; undefined while none is. */
  heldSinceMs: number | undefined;
  throttledMs: number;
}

/**
 * `maxRecordsPerSecondByTopic`: a token bucket per source topic, split into equal shares per assigned partition so
 * that one partition cannot take the whole budget (librdkafka hands partitions' records over in the order it fetched
 * them: without shares, the first partition of every fetch would get the budget and the others none). A share a
 * partition does not use — it has no records — overflows into the topic's spare tokens, which any partition uses
 * once its own share is spent, so an idle partition costs the others nothing.
 *
 * After each batch, a partition's records beyond what it may take are not processed: the partition is paused and
 * sought back to its first record not taken (fetched again when it resumes, once its share has half refilled). So
 * a topic never takes more than its budget — no burst of a whole batch — and all of it happens per batch and per
 * limited partition, never per record; a topology without limits runs none of it.
 */
export class TopicRateLimits {
  readonly #topics = new Map<string, TopicBudget>();
  /** Held partitions given up: librdkafka keeps them paused, so they are resumed should they come back. */
  readonly #resumeOnAssign = new Set<string>();

  constructor(limits: { readonly [topic: string]: number }) {
    for (const [topic, rate] of Object.entries(limits)) {
      this.#topics.set(topic, {
        ratePerMs: rate / 1000,
        capacity: Math.max(1, rate / 2),
        spare: 0,
        partitions: new Map(),
        heldSinceMs: undefined,
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
   * Before a batch: keeps one bucket per assigned partition of each limited topic (a partition given up is
   * forgotten: its next owner starts from the committed offsets, which never include what was held back), refills
   * them, seeks again where a seek failed, and resumes held partitions whose share is back — not while the instance
   * is paused by the user, nor before their seek is done, nor where `heldElsewhere` says another pause still holds
   * them (a saturated task's asynchronous backpressure). One look at the assignment per batch, none per record.
   */
  beforeBatch(
    consumer: ConsumerClient,
    nowMs: number,
    instancePaused: boolean,
    heldElsewhere?: (tp: TopicPartition) => boolean,
  ): void {
    const assigned = new Map<string, number[]>();
    for (const tp of consumer.assignments()) {
      if (!this.#topics.has(tp.topic)) continue;
      let list = assigned.get(tp.topic);
      if (list === undefined) assigned.set(tp.topic, (list = []));
      list.push(tp.partition);
    }
    for (const [topic, t] of this.#topics) {
      const partitions = assigned.get(topic) ?? [];
      if (partitions.length !== t.partitions.size || partitions.some((n) => !t.partitions.has(n))) {
        const keep = new Set(partitions);
        for (const n of t.partitions.keys()) if (!keep.has(n)) t.partitions.delete(n);
        for (const n of partitions) if (!t.partitions.has(n)) this.#addBucket(t, n, nowMs);
        const share = this.#share(t);
        for (const b of t.partitions.values()) b.tokens = Math.min(b.tokens, share);
      }
      let resume: TopicPartition[] | undefined;
      for (const [partition, p] of t.partitions) {
        this.#refill(t, p, nowMs);
        if (!p.held) continue;
        if (p.seekTo !== undefined) {
          if (!p.seeking) this.#seek(consumer, topic, partition, p);
          continue;
        }
        if (instancePaused || nowMs < p.resumeAtMs || heldElsewhere?.({ topic, partition })) continue;
        p.held = false;
        (resume ??= []).push({ topic, partition });
      }
      if (resume !== undefined) consumer.resume(resume);
      this.#updateHeld(t, nowMs);
    }
  }

  /**
   * After a batch, before it is processed: each limited partition takes what its share and then the topic's spare
   * tokens allow; the records beyond are left out of what is returned (the same array when nothing is left out), and
   * their partition is paused and sought back to the first of them.
   */
  admit(messages: readonly ConsumedMessage[], consumer: ConsumerClient, nowMs: number): readonly ConsumedMessage[] {
    if (messages.length === 0) return messages;
    let cut: Set<ConsumedMessage> | undefined;
    let t: TopicBudget | undefined;
    let p: PartitionBucket | undefined;
    let lastTopic: string | undefined;
    let lastPartition = -1;
    for (const m of messages) {
      if (m.topic !== lastTopic || m.partition !== lastPartition) {
        lastTopic = m.topic;
        lastPartition = m.partition;
        t = this.#topics.get(m.topic);
        p = t?.partitions.get(m.partition);
        // Assigned while this batch was fetched: a bucket of its own from now on.
        if (t !== undefined && p === undefined) p = this.#addBucket(t, m.partition, nowMs);
      }
      if (t === undefined || p === undefined) continue;
      if (p.held) {
        // Cut earlier in this batch, or fetched before its pause took effect: it comes again after the seek. Records
        // of a held partition whose seek is done were fetched from a position set since (a rewind, a resume from
        // elsewhere): held again from here.
        if (p.seekTo === undefined) this.#hold(consumer, t, m.topic, m.partition, p, m.offset, nowMs);
        (cut ??= new Set()).add(m);
      } else if (p.tokens >= 1) {
        p.tokens -= 1;
      } else if (t.spare >= 1) {
        t.spare -= 1;
      } else {
        (cut ??= new Set()).add(m);
        this.#hold(consumer, t, m.topic, m.partition, p, m.offset, nowMs);
      }
    }
    if (cut === undefined) return messages;
    return messages.filter((m) => !cut.has(m));
  }

  /**
   * Partitions given up in a rebalance: their buckets go (the next owner starts from the committed offsets, which
   * never include what was held back, and a seek still under way fails harmlessly on a partition not assigned).
   */
  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const t = this.#topics.get(tp.topic);
      const p = t?.partitions.get(tp.partition);
      if (t === undefined || p === undefined) continue;
      if (p.held) this.#resumeOnAssign.add(`${tp.topic}:${tp.partition}`);
      t.partitions.delete(tp.partition);
    }
  }

  /** Partitions assigned: those held here before they were given up are resumed (unless the instance is paused). */
  assigned(partitions: readonly TopicPartition[], consumer: ConsumerClient, instancePaused: boolean): void {
    if (this.#resumeOnAssign.size === 0) return;
    const resume = partitions.filter((p) => this.#resumeOnAssign.delete(`${p.topic}:${p.partition}`));
    if (resume.length > 0 && !instancePaused) consumer.resume(resume);
  }

  /** Whether this partition is held for its topic's budget: other pauses must not resume it. */
  holds(tp: TopicPartition): boolean {
    return this.holdsPartition(tp.topic, tp.partition);
  }

  /** {@link holds}, without a `TopicPartition` to make (task idling asks it per batch). */
  holdsPartition(topic: string, partition: number): boolean {
    return this.#topics.get(topic)?.partitions.get(partition)?.held ?? false;
  }

  /** Milliseconds each topic has had a partition held for its budget (`metrics().throttledMsByTopic`). */
  throttledMsByTopic(nowMs = Date.now()): { [topic: string]: number } {
    const out: { [topic: string]: number } = {};
    for (const [topic, t] of this.#topics) {
      out[topic] = t.throttledMs + (t.heldSinceMs === undefined ? 0 : nowMs - t.heldSinceMs);
    }
    return out;
  }

  /** Adds a bucket for the partition, starting with a full share. */
  #addBucket(t: TopicBudget, partition: number, nowMs: number): PartitionBucket {
    const p: PartitionBucket = {
      tokens: 0,
      lastMs: nowMs,
      held: false,
      resumeAtMs: 0,
      seekTo: undefined,
      seeking: false,
    };
    t.partitions.set(partition, p);
    p.tokens = this.#share(t);
    return p;
  }

  /** A partition's share of the topic's capacity (at least one record, or a slow topic could never resume). */
  #share(t: TopicBudget): number {
    return Math.max(1, t.capacity / Math.max(1, t.partitions.size));
  }

  /** Refills the partition's tokens to now at its share of the rate; what overflows its share goes to spare. */
  #refill(t: TopicBudget, p: PartitionBucket, nowMs: number): void {
    const share = this.#share(t);
    const tokens = p.tokens + ((nowMs - p.lastMs) * t.ratePerMs) / Math.max(1, t.partitions.size);
    p.lastMs = nowMs;
    if (tokens <= share) {
      p.tokens = tokens;
    } else {
      t.spare = Math.min(t.capacity, t.spare + tokens - share);
      p.tokens = share;
    }
  }

  #hold(
    consumer: ConsumerClient,
    t: TopicBudget,
    topic: string,
    partition: number,
    p: PartitionBucket,
    offset: number,
    nowMs: number,
  ): void {
    p.held = true;
    p.seekTo = offset;
    // Back when half its share has refilled, and at least a record's worth (a slow topic's share is one record): a few
    // resumes per second, each fetching what it may then take — never a resume that can take nothing.
    const target = Math.max(1, this.#share(t) / 2);
    p.resumeAtMs = nowMs + ((target - Math.min(p.tokens, target)) * Math.max(1, t.partitions.size)) / t.ratePerMs;
    consumer.pause([{ topic, partition }]);
    this.#seek(consumer, topic, partition, p);
    this.#updateHeld(t, nowMs);
  }

  /** Seeks the held partition back; a failed seek is tried again before the next batch, and it stays paused. */
  #seek(consumer: ConsumerClient, topic: string, partition: number, p: PartitionBucket): void {
    const offset = p.seekTo!;
    p.seeking = true;
    consumer.seek({ topic, partition, offset }).then(
      () => {
        p.seeking = false;
        if (p.seekTo === offset) p.seekTo = undefined;
      },
      () => {
        p.seeking = false;
      },
    );
  }

  #updateHeld(t: TopicBudget, nowMs: number): void {
    let any = false;
    for (const p of t.partitions.values()) if (p.held) any = true;
    if (any && t.heldSinceMs === undefined) t.heldSinceMs = nowMs;
    if (!any && t.heldSinceMs !== undefined) {
      t.throttledMs += nowMs - t.heldSinceMs;
      t.heldSinceMs = undefined;
    }
  }
}
