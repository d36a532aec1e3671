import type { ClientConfig } from '../kafka/kafka-types.js';
import type { FetchedLags } from './partition-group.js';

/** What librdkafka's statistics say about one partition of the consumer. */
interface PartitionStats {
  /** The end a fetch can reach: the high watermark, or the last stable offset under read_committed. */
  readonly end: number;
  /** librdkafka's fetch position (past transaction markers, unlike the position of the last record). */
  readonly nextOffset: number;
  /** Messages fetched by librdkafka and not yet handed to the application. */
  readonly queued: number;
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
          fetchq_cnt?: number;
        };
      };
    };
  };
}

/**
 * The consumer's fetched lag per partition for task idling, from librdkafka's statistics (the `event.stats` JSON,
 * parsed once per `statistics.interval.ms`, never per record). A partition is caught up when every record up to its
 * end (high watermark, or last stable offset under read_committed) was handed to the application: either the task
 * received a record at or past that end, or librdkafka has nothing queued and its fetch position has reached it.
 * Unknown (-1) until the first statistics that show the partition fetching.
 */
export class ConsumerLags implements FetchedLags {
  /** `statistics.interval.ms` the consumer is given when task idling needs it: bounds how stale a lag can be. */
  static readonly STATISTICS_INTERVAL_MS = 100;
  readonly #readCommitted: boolean;
  #byTopic = new Map<string, Map<number, PartitionStats>>();

  constructor(readCommitted: boolean) {
    this.#readCommitted = readCommitted;
  }

  /** Takes one statistics report (librdkafka's JSON). */
  readonly onStatistics = (json: string): void => {
    let stats: StatsJson;
    try {
      stats = JSON.parse(json) as StatsJson;
    } catch {
      return; // a report we cannot read changes nothing; the next one will
    }
    const byTopic = new Map<string, Map<number, PartitionStats>>();
    for (const [topic, t] of Object.entries(stats.topics ?? {})) {
      const partitions = new Map<number, PartitionStats>();
      for (const [p, s] of Object.entries(t.partitions ?? {})) {
        const partition = Number(p);
        if (partition < 0 || s.fetch_state !== 'active') continue; // -1 is librdkafka's unassigned-messages queue
        const end = (this.#readCommitted ? s.ls_offset : s.hi_offset) ?? -1;
        const nextOffset = s.next_offset ?? -1;
        if (end < 0 || nextOffset < 0) continue;
        partitions.set(partition, { end, nextOffset, queued: s.fetchq_cnt ?? 0 });
      }
      if (partitions.size > 0) byTopic.set(topic, partitions);
    }
    this.#byTopic = byTopic;
  };

  fetchedLag(topic: string, partition: number, fetchedPosition: number): number {
    const s = this.#byTopic.get(topic)?.get(partition);
    if (s === undefined) return -1;
    if (fetchedPosition >= s.end) return 0; // newer than the report: the task has received everything it knew of
    if (s.queued === 0 && s.nextOffset >= s.end) return 0;
    return Math.max(1, s.end - Math.max(fetchedPosition, 0));
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
