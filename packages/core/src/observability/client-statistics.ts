/** The parts of librdkafka's statistics JSON that Kaskade reads (see librdkafka's STATISTICS.md). */
export interface LibrdkafkaStatistics {
  readonly name?: string;
  readonly client_id?: string;
  readonly type?: 'consumer' | 'producer';
  readonly ts?: number;
  /** Operations (callbacks, events) waiting to be served. */
  readonly replyq?: number;
  /** Messages in the producer's queues. */
  readonly msg_cnt?: number;
  readonly msg_size?: number;
  readonly tx?: number;
  readonly tx_bytes?: number;
  readonly rx?: number;
  readonly rx_bytes?: number;
  readonly txmsgs?: number;
  readonly txmsg_bytes?: number;
  readonly rxmsgs?: number;
  readonly rxmsg_bytes?: number;
  readonly brokers?: {
    readonly [name: string]: {
      readonly nodeid?: number;
      readonly state?: string;
      readonly rtt?: { readonly avg?: number; readonly p99?: number };
    };
  };
  readonly topics?: {
    readonly [topic: string]: {
      readonly partitions?: {
        readonly [partition: string]: {
          readonly partition?: number;
          readonly hi_offset?: number;
          readonly ls_offset?: number;
          readonly lo_offset?: number;
          readonly app_offset?: number;
          readonly committed_offset?: number;
          readonly consumer_lag?: number;
          readonly fetchq_cnt?: number;
        };
      };
    };
  };
  readonly cgrp?: { readonly state?: string; readonly rebalance_cnt?: number; readonly assignment_size?: number };
}

/** End offsets of a partition as the consumer last saw them. */
export interface PartitionWatermarks {
  /** High watermark (read_uncommitted) or last stable offset (read_committed): the end a consumer can reach. */
  readonly end: number;
  readonly committed: number;
  /** Low watermark: where a partition without a committed offset starts (the runtime resets to earliest). */
  readonly low: number;
  /** librdkafka's own lag: end minus the group's committed offset (-1 when unknown). */
  readonly committedLag: number;
}

/**
 * The latest statistics of an instance's consumer and producer, as librdkafka emits them every
 * `statistics.interval.ms` (the `event.stats` callback). Parsed once per interval, read at scrape time.
 */
export class ClientStatistics {
  consumer: LibrdkafkaStatistics | undefined;
  producer: LibrdkafkaStatistics | undefined;
  readonly #readCommitted: boolean;
  /** Ends asked of the broker for partitions the statistics have none of (paused or not fetched yet). */
  readonly #fallback = new Map<string, { end: number; low: number }>();

  constructor(readCommitted: boolean) {
    this.#readCommitted = readCommitted;
  }

  /** Handler for the consumer's `event.stats` JSON. A malformed document is ignored (the last good one stays). */
  readonly onConsumerStats = (json: string): void => {
    const parsed = parse(json);
    if (parsed) this.consumer = parsed;
  };

  readonly onProducerStats = (json: string): void => {
    const parsed = parse(json);
    if (parsed) this.producer = parsed;
  };

  /** The consumer's view of a partition's end, or undefined before the first statistics or when not fetched. */
  watermarks(topic: string, partition: number): PartitionWatermarks | undefined {
    const p = this.consumer?.topics?.[topic]?.partitions?.[String(partition)];
    const committed = p?.committed_offset ?? -1;
    const end = (this.#readCommitted ? p?.ls_offset : p?.hi_offset) ?? -1;
    // librdkafka knows a partition's end only from fetching it: a paused partition's end is unknown or stale, and
    // the broker's answer (newer, so larger) fills in.
    const f = this.#fallback.get(`${topic}:${partition}`);
    if (end >= 0 && (!f || end >= f.end)) {
      return { end, committed, low: p?.lo_offset ?? -1, committedLag: p?.consumer_lag ?? -1 };
    }
    return f ? { end: f.end, committed, low: f.low, committedLag: -1 } : undefined;
  }

  /** Whether the statistics lack the end of a partition (then {@link setEnd} from the broker fills it in). */
  needsEnd(topic: string, partition: number): boolean {
    const p = this.consumer?.topics?.[topic]?.partitions?.[String(partition)];
    return ((this.#readCommitted ? p?.ls_offset : p?.hi_offset) ?? -1) < 0;
  }

  setEnd(topic: string, partition: number, end: number, low: number): void {
    this.#fallback.set(`${topic}:${partition}`, { end, low });
  }
}

function parse(json: string): LibrdkafkaStatistics | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as LibrdkafkaStatistics) : undefined;
  } catch {
    return undefined;
  }
}
