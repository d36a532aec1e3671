import type { ClientConfig } from '../kafka/kafka-types.js';
import type { FetchedLags } from './partition-group.js';

/** What librdkafka's statistics say about one partition of the consumer. */
interface PartitionStats {
  /** The end a fetch can reach: the high watermark, or the last stable offset under read_committed. */
  readonly end: number;
  /** librdkafka's fetch position (past transaction markers, unlike the position of the last record). */
  readonly nextOffset: number;
  /**
   * The offset after the last message librdkafka handed to the application, past transaction markers and aborted
   * records it skipped; negative while it has handed over nothing since the partition was assigned.
   */
  readonly appOffset: number;
  /**
   * Messages fetched and not yet handed to the application — of the whole consumer, not of this partition: every
   * partition's queue is forwarded to the consumer's one queue, whose length the statistics repeat for each.
   */
  readonly queued: number;
  /**
   * Messages librdkafka has fetched from the partition and queued for the application, over the client's life (not
   * reset when the partition is reassigned or seeked): 0 means nothing of it can be in the consumer's queue.
   */
  readonly received: number;
  /** Wall-clock time the partition's end or positions last moved. */
  readonly changedAtMs: number;
}

interface StatsJson {
  topics?: {
    [topic: string]: {
      partitions?: {
        [partition: string]: {
          fetch_state?: string;
          hi_offset?: number;
          ls_offset?: number;
          next_offset?: number;
          app_offset?: number;
          fetchq_cnt?: number;
          msgs?: number;
        };
      };
    };
  };
}

/** How long the task has been waiting on one partition: since when it asks, and when it last asked. */
interface Wait {
  sinceMs: number;
  askedMs: number;
}

/**
 * The consumer's fetched lag per partition for task idling, from librdkafka's statistics (the `event.stats` JSON,
 * parsed once per `statistics.interval.ms`, never per record). A partition is caught up when every record up to its
 * end (high watermark, or last stable offset under read_committed) was handed to the application: the task received
 * a record at or past that end, or librdkafka's application offset has reached it (it moves past commit markers and
 * aborted records too), or librdkafka has fetched to the end and none of it can still be queued (the consumer's queue
 * is empty, or nothing was ever fetched from the partition). Unknown (-1) until the first statistics that show the
 * partition fetching.
 *
 * Two waits are bounded, unlike Kafka Streams', because these statistics can stop moving: a partition fetched to its
 * end whose only possible records sit somewhere in the consumer's shared queue, when nothing has moved for
 * {@link ConsumerLags.STALLED_MS}, and a lag that stays unknown for {@link ConsumerLags.UNKNOWN_MS}. Either counts as
 * caught up, so the task idles `maxTaskIdleMs` and goes on without the partition, rather than holding the task (and
 * the commit of everything behind it) while the instance reports RUNNING. Both count only time the task spends
 * asking, so a loop busy elsewhere (a commit, a rebalance) does not use them up. A partition with records still on the
 * broker (fetch position before the end: fetching, paused, or its leader moving) is waited for as in Kafka Streams.
 */
export class ConsumerLags implements FetchedLags {
  /** `statistics.interval.ms` the consumer is given when task idling needs it: bounds how stale a lag can be. */
  static readonly STATISTICS_INTERVAL_MS = 100;
  /** How long a fetched-but-maybe-queued lag may stand still (20 statistics intervals) before it is not waited for. */
  static readonly STALLED_MS = 2_000;
  /** How long a lag may stay unknown (a partition that never shows fetching) before it is not waited for. */
  static readonly UNKNOWN_MS = 10_000;
  /** A pause in asking longer than this (the task had data, or the loop was busy) starts a new wait. */
  static readonly ASK_GAP_MS = 1_000;
  readonly #readCommitted: boolean;
  #byTopic = new Map<string, Map<number, PartitionStats>>();
  readonly #waits = new Map<string, Map<number, Wait>>();

  /**
   * Partitions held back on purpose (`maxRecordsPerSecondByTopic`): counted as caught up, so that a task reading a
   * limited topic and an unlimited one processes the unlimited one at its own pace instead of the limited one's.
   */
  heldBack: ((topic: string, partition: number) => boolean) | undefined;

  constructor(readCommitted: boolean) {
    this.#readCommitted = readCommitted;
  }

  /** Takes one statistics report (librdkafka's JSON); `nowMs` for tests. */
  readonly onStatistics = (json: string, nowMs: number = Date.now()): void => {
    let stats: StatsJson;
    try {
      stats = JSON.parse(json) as StatsJson;
    } catch {
      return; // a report we cannot read changes nothing; the next one will
    }
    const previous = this.#byTopic;
    const byTopic = new Map<string, Map<number, PartitionStats>>();
    for (const [topic, t] of Object.entries(stats.topics ?? {})) {
      const partitions = new Map<number, PartitionStats>();
      for (const [p, s] of Object.entries(t.partitions ?? {})) {
        const partition = Number(p);
        if (partition < 0 || s.fetch_state !== 'active') continue; // -1 is librdkafka's unassigned-messages queue
        const end = (this.#readCommitted ? s.ls_offset : s.hi_offset) ?? -1;
        const nextOffset = s.next_offset ?? -1;
        if (end < 0 || nextOffset < 0) continue;
        const appOffset = s.app_offset ?? -1;
        const was = previous.get(topic)?.get(partition);
        const moved =
          was === undefined || was.end !== end || was.nextOffset !== nextOffset || was.appOffset !== appOffset;
        partitions.set(partition, {
          end,
          nextOffset,
          appOffset,
          queued: s.fetchq_cnt ?? 0,
          received: s.msgs ?? 0,
          changedAtMs: moved ? nowMs : was.changedAtMs,
        });
      }
      if (partitions.size > 0) byTopic.set(topic, partitions);
    }
    this.#byTopic = byTopic;
  };

  fetchedLag(topic: string, partition: number, fetchedPosition: number, nowMs: number): number {
    // Held back on purpose (a topic's rate limit): its task goes on with its other partitions.
    if (this.heldBack?.(topic, partition)) return 0;
    const s = this.#byTopic.get(topic)?.get(partition);
    if (s === undefined) return this.#waited(topic, partition, nowMs) >= ConsumerLags.UNKNOWN_MS ? 0 : -1;
    if (fetchedPosition >= s.end) return 0; // newer than the report: the task has received everything it knew of
    if (s.appOffset >= s.end) return 0;
    const fetchedAll = s.nextOffset >= s.end;
    if (fetchedAll && (s.queued === 0 || (s.appOffset < 0 && s.received === 0))) return 0;
    if (fetchedAll) {
      // What is queued may or may not be this partition's: wait, but not for a report that no longer moves.
      const waited = this.#waited(topic, partition, nowMs);
      if (waited >= ConsumerLags.STALLED_MS && nowMs - s.changedAtMs >= ConsumerLags.STALLED_MS) return 0;
    }
    return Math.max(1, s.end - Math.max(fetchedPosition, s.appOffset, 0));
  }

  /** Milliseconds the task has been asking about the partition without a pause longer than ASK_GAP_MS. */
  #waited(topic: string, partition: number, nowMs: number): number {
    let byPartition = this.#waits.get(topic);
    if (byPartition === undefined) this.#waits.set(topic, (byPartition = new Map()));
    const w = byPartition.get(partition);
    if (w === undefined || nowMs - w.askedMs > ConsumerLags.ASK_GAP_MS) {
      byPartition.set(partition, { sinceMs: nowMs, askedMs: nowMs });
      return 0;
    }
    w.askedMs = nowMs;
    return nowMs - w.sinceMs;
  }
}

/**
 * The task idling of an instance: undefined (nothing to pay) when `maxTaskIdleMs` is -1 or no sub-topology reads
 * more than one topic, since only tasks with several input partitions ever wait.
 */
export function taskIdlingFor(
  maxTaskIdleMs: number,
  topicToSubtopology: ReadonlyMap<string, number>,
  readCommitted: boolean,
): { maxTaskIdleMs: number; lags: ConsumerLags } | undefined {
  if (maxTaskIdleMs < 0) return undefined;
  const seen = new Set<number>();
  for (const sub of topicToSubtopology.values()) {
    if (seen.has(sub)) return { maxTaskIdleMs, lags: new ConsumerLags(readCommitted) };
    seen.add(sub);
  }
  return undefined;
}

/** The consumer's properties with the statistics interval task idling needs (a user's own setting wins). */
export function withIdlingStatistics(config: ClientConfig): ClientConfig {
  return { 'statistics.interval.ms': ConsumerLags.STATISTICS_INTERVAL_MS, ...config };
}

/** One statistics callback that feeds both listeners (observability, task idling), or undefined for none. */
export function composeStatistics(
  a: ((json: string) => void) | undefined,
  b: ((json: string) => void) | undefined,
): ((json: string) => void) | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return (json) => {
    a(json);
    b(json);
  };
}
