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
  /** Messages (records and transaction markers) librdkafka has fetched from the partition since it started. */
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

/**
 * The consumer's fetched lag per partition for task idling, from librdkafka's statistics (the `event.stats` JSON,
 * parsed once per `statistics.interval.ms`, never per record). A partition is caught up when every record up to its
 * end (high watermark, or last stable offset under read_committed) was handed to the application: the task received
 * a record at or past that end, or librdkafka's application offset has reached it (it moves past commit markers and
 * aborted records too), or — before anything was handed over — librdkafka's fetch position is at the end with nothing
 * queued in the whole consumer. Unknown (-1) until the first statistics that show the partition fetching.
 *
 * A lag the statistics keep reporting without anything moving is not waited for forever: once a partition's end
 * and positions have stood still for {@link ConsumerLags.STALLED_MS} (or its lag has stayed unknown for
 * {@link ConsumerLags.UNKNOWN_MS}), it counts as caught up, so the task idles `maxTaskIdleMs` and goes on without it.
 * A partition that really has records on the broker moves within a fetch; one that does not would otherwise hold its
 * task — and the commit of everything behind it — while the instance reports RUNNING.
 */
export class ConsumerLags implements FetchedLags {
  /** `statistics.interval.ms` the consumer is given when task idling needs it: bounds how stale a lag can be. */
  static readonly STATISTICS_INTERVAL_MS = 100;
  /** How long a positive lag may stand still (20 statistics intervals) before the task stops waiting for it. */
  static readonly STALLED_MS = 2_000;
  /** How long a lag may stay unknown (a partition that never shows fetching) before the task stops waiting. */
  static readonly UNKNOWN_MS = 10_000;
  readonly #readCommitted: boolean;
  #byTopic = new Map<string, Map<number, PartitionStats>>();
  /** Per `topic:partition` whose lag is asked while unknown: since when, and when last asked. */
  readonly #unknown = new Map<string, [sinceMs: number, askedMs: number]>();

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
    const s = this.#byTopic.get(topic)?.get(partition);
    if (s === undefined) {
      const key = `${topic}:${partition}`;
      const u = this.#unknown.get(key);
      // Asked again after a pause (the task had data meanwhile, or the partition came back): a new wait.
      if (u === undefined || nowMs - u[1] > ConsumerLags.STALLED_MS) {
        this.#unknown.set(key, [nowMs, nowMs]);
        return -1;
      }
      u[1] = nowMs;
      return nowMs - u[0] >= ConsumerLags.UNKNOWN_MS ? 0 : -1;
    }
    if (this.#unknown.size > 0) this.#unknown.delete(`${topic}:${partition}`);
    if (fetchedPosition >= s.end) return 0; // newer than the report: the task has received everything it knew of
    if (s.appOffset >= s.end) return 0;
    // Nothing handed over yet: caught up at the end only when nothing of it can be queued.
    if (s.appOffset < 0 && s.nextOffset >= s.end && (s.received === 0 || s.queued === 0)) return 0;
    if (nowMs - s.changedAtMs >= ConsumerLags.STALLED_MS) return 0;
    return Math.max(1, s.end - Math.max(fetchedPosition, s.appOffset, 0));
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
