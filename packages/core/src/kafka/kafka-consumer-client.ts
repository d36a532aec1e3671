import { RdKafka } from '@confluentinc/kafka-javascript';
import type { KafkaConsumer, LibrdKafkaError, Message } from '@confluentinc/kafka-javascript';
import './librdkafka-augment.js';
import { consumerSettings } from './client-settings.js';
import { toKafkaError } from './kafka-client-error.js';
import { withMetadata } from './with-metadata.js';
import type { ConsumerClient } from './consumer-client.js';
import type { ClientConfig, ConsumedMessage, TopicPartition, TopicPartitionOffset } from './kafka-types.js';

const ERR__ASSIGN_PARTITIONS = -175;
const ERR__REVOKE_PARTITIONS = -174;

/** A rebalance as the group coordinator decided it. The listener must eventually call assign/unassign. */
export interface RebalanceEvent {
  readonly kind: 'assign' | 'revoke';
  readonly partitions: readonly TopicPartition[];
  /** True when the partitions were lost (session timeout, fencing) rather than revoked in order. */
  readonly lost: boolean;
  readonly protocol: 'EAGER' | 'COOPERATIVE' | 'NONE';
}

export interface ConsumerClientOptions {
  readonly bootstrapServers: string;
  readonly groupId: string;
  readonly clientId?: string;
  readonly isolationLevel?: 'read_committed' | 'read_uncommitted';
  /** Where to start without a committed offset: earliest (default), latest, or error. */
  readonly autoOffsetReset?: 'earliest' | 'latest' | 'error';
  /** Wait for the first message of a batch at most this long (ms). */
  readonly pollTimeoutMs?: number;
  readonly config?: ClientConfig;
  /**
   * Called on every rebalance. Without a listener, partitions are assigned/unassigned at once. With one, the
   * listener decides when (e.g. after committing what it processed).
   */
  readonly onRebalance?: (event: RebalanceEvent) => void;
  readonly onError?: (error: Error) => void;
  /** Receives librdkafka's log lines (severity as syslog: 3 = error), e.g. why a connection fails. */
  readonly onLog?: (severity: number, message: string) => void;
  /** librdkafka's statistics JSON, every `statistics.interval.ms` (set it in `config`). */
  readonly onStatistics?: (json: string) => void;
}

/** Callback of a batch consume: messages across all assigned partitions, in arrival order per partition. */
export type ConsumeCallback = (error: Error | null, messages: readonly ConsumedMessage[]) => void;

/**
 * Promise wrapper over librdkafka's KafkaConsumer (callback API) for one member of a consumer group. Offsets are
 * committed explicitly (enable.auto.commit=false): the runtime decides when input is done.
 */
export class KafkaConsumerClient implements ConsumerClient {
  readonly #consumer: KafkaConsumer;
  /**
   * The consumer group protocol (KIP-848): every assignment change is incremental, also when librdkafka reports the
   * protocol as NONE (after unsubscribing, while closing), where an eager assign fails with "Erroneous state".
   */
  readonly #incremental: boolean;
  #connected = false;
  /** disconnect() was called: a connect still under way disconnects again when it completes. */
  #closed = false;
  /** Partitions whose leaders' fetcher threads are to be woken (see `#wakeFetchers`), and whether a wake is in flight. */
  #toWake: TopicPartition[] = [];
  #waking = false;

  constructor(options: ConsumerClientOptions) {
    this.#incremental = options.config?.['group.protocol'] === 'consumer';
    const conf: { [key: string]: unknown } = {
      ...consumerSettings(options),
      ...(options.onLog ? { event_cb: true } : {}),
      ...(options.config ?? {}),
    };
    const onRebalance = options.onRebalance;
    conf['rebalance_cb'] = (err: LibrdKafkaError, assignment: TopicPartition[]) => {
      const kind =
        err.code === ERR__ASSIGN_PARTITIONS ? 'assign' : err.code === ERR__REVOKE_PARTITIONS ? 'revoke' : undefined;
      if (!kind) {
        options.onError?.(toKafkaError('rebalance', err));
        return;
      }
      const partitions = assignment.map((a) => ({ topic: a.topic, partition: a.partition }));
      const protocol = this.#consumer.rebalanceProtocol();
      if (!onRebalance) {
        if (kind === 'assign') this.assign(partitions, protocol);
        else this.unassign(partitions, protocol);
        return;
      }
      onRebalance({ kind, partitions, lost: kind === 'revoke' && this.#consumer.assignmentLost(), protocol });
    };
    this.#consumer = new RdKafka.KafkaConsumer(conf as never, {
      'auto.offset.reset': options.autoOffsetReset ?? 'earliest',
    });
    this.#consumer.setDefaultConsumeTimeout(options.pollTimeoutMs ?? 100);
    // Return as soon as the first message is there plus whatever else is buffered: big batches under load, low
    // latency when idle.
    this.#consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
    if (options.onStatistics) {
      const onStatistics = options.onStatistics;
      this.#consumer.on('event.stats', (stats: { message: string }) => onStatistics(stats.message));
    }
    if (options.onError) {
      const onError = options.onError;
      this.#consumer.on('event.error', (e: LibrdKafkaError) => onError(toKafkaError('consumer', e)));
    }
    if (options.onLog) {
      const onLog = options.onLog;
      this.#consumer.on('event.log', (l: { severity: number; message: string }) => onLog(l.severity, l.message));
    }
  }

  /** The underlying client, for `sendOffsetsToTransaction` (it needs the live consumer's group metadata). */
  get native(): KafkaConsumer {
    return this.#consumer;
  }

  connect(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#consumer.connect({ timeout: timeoutMs }, (err) => {
        if (err) return reject(toKafkaError('consumer connect', err));
        if (this.#closed) {
          this.#consumer.disconnect(() => undefined);
          return reject(toKafkaError('consumer connect', new Error('disconnected while connecting')));
        }
        this.#connected = true;
        resolve();
      });
    });
  }

  get connected(): boolean {
    return this.#connected;
  }

  subscribe(topics: readonly string[]): void {
    this.#consumer.subscribe([...topics]);
  }

  unsubscribe(): void {
    this.#consumer.unsubscribe();
  }

  /**
   * Consumes up to `max` messages across all assigned partitions. This is the hot path: one native call and one
   * callback per batch, never one promise per message.
   */
  consume(max: number, callback: ConsumeCallback): void {
    this.#consumer.consume(max, (err: LibrdKafkaError, messages: Message[]) => {
      if (err) callback(toKafkaError('consume', err), []);
      else callback(null, messages as unknown as ConsumedMessage[]);
    });
  }

  /** Promise form of `consume`, for tools and tests. */
  consumeBatch(max: number): Promise<readonly ConsumedMessage[]> {
    return new Promise((resolve, reject) => this.consume(max, (e, m) => (e ? reject(e) : resolve(m))));
  }

  assign(partitions: readonly TopicPartition[], protocol = this.#consumer.rebalanceProtocol()): void {
    const list = partitions.map((p) => ({ topic: p.topic, partition: p.partition }));
    if (protocol === 'COOPERATIVE' || this.#incremental) {
      this.#consumer.incrementalAssign(list);
      this.#wakeFetchers(this.assignments());
    } else this.#consumer.assign(list);
  }

  unassign(partitions: readonly TopicPartition[], protocol = this.#consumer.rebalanceProtocol()): void {
    if (protocol === 'COOPERATIVE' || this.#incremental) {
      this.#consumer.incrementalUnassign(partitions.map((p) => ({ topic: p.topic, partition: p.partition })));
      this.#wakeFetchers(this.assignments());
    } else this.#consumer.unassign();
  }

  /**
   * Assigns partitions at given offsets: the whole assignment (no group management: tools, restoration; or an eager
   * rebalance), or, under an incremental (`COOPERATIVE`) rebalance, in addition to the partitions already assigned.
   */
  assignAt(partitions: readonly TopicPartitionOffset[], protocol: RebalanceEvent['protocol'] = 'NONE'): void {
    const list = partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }));
    if (protocol === 'COOPERATIVE' || this.#incremental) {
      this.#consumer.incrementalAssign(list);
      this.#wakeFetchers(this.assignments());
    } else this.#consumer.assign(list);
  }

  assignments(): TopicPartition[] {
    return this.#consumer.assignments().map((a) => ({ topic: a.topic, partition: a.partition }));
  }

  /** Commits offsets (the next offset to read) for the group; resolves when the broker has them. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#consumer.commitCb(
        offsets.map((o) => withMetadata({ topic: o.topic, partition: o.partition, offset: o.offset }, o.metadata)),
        (err) => (err ? reject(toKafkaError('commit', err)) : resolve()),
      );
    });
  }

  /** The group's committed offsets (next offset to read), -1001 where the group has none. */
  committed(partitions: readonly TopicPartition[], timeoutMs = 30_000): Promise<TopicPartitionOffset[]> {
    return new Promise((resolve, reject) => {
      this.#consumer.committed(
        partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
        timeoutMs,
        (err, tps) =>
          err
            ? reject(toKafkaError('committed', err))
            : // No committed offset comes back as undefined: report librdkafka's OFFSET_INVALID (-1001) instead.
              resolve(
                tps.map((t) =>
                  withMetadata(
                    { topic: t.topic, partition: t.partition, offset: t.offset ?? -1001 },
                    (t as { metadata?: string }).metadata,
                  ),
                ),
              ),
      );
    });
  }

  seek(position: TopicPartitionOffset, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#consumer.seek({ ...position }, timeoutMs, (err) =>
        err ? reject(toKafkaError(`seek(${position.topic}-${position.partition})`, err)) : resolve(),
      );
    });
  }

  pause(partitions: readonly TopicPartition[]): void {
    if (partitions.length) this.#consumer.pause(partitions.map((p) => ({ topic: p.topic, partition: p.partition })));
  }

  resume(partitions: readonly TopicPartition[]): void {
    if (partitions.length === 0) return;
    this.#consumer.resume(partitions.map((p) => ({ topic: p.topic, partition: p.partition })));
    this.#wakeFetchers(partitions);
  }

  /**
   * librdkafka resumes a partition without waking the thread that fetches from its leader: a thread whose partitions
   * were all paused goes to sleep and fetches again only at its next wake-up, up to a second later. It pauses every
   * assigned partition while an incremental rebalance is answered, so the tasks that stay stood still ~1 s per
   * rebalance (measured with bare consumers: 0.9–1.1 s, 0.2 s with this), and an application's `resume()` lagged as
   * much (confluent-kafka-go#630 shows the same). Any request to the broker wakes its thread: a ListOffsets
   * (`offsetsForTimes`, one request per leader, nothing read from the answer). One at a time, coalesced — a broker
   * that does not answer holds a thread of libuv's pool until the timeout.
   */
  #wakeFetchers(partitions: readonly TopicPartition[]): void {
    if (!this.#connected) return;
    this.#toWake.push(...partitions);
    if (this.#toWake.length === 0 || this.#waking) return;
    const unique = new Map<string, { topic: string; partition: number; offset: number }>();
    for (const p of this.#toWake) unique.set(`${p.topic}:${p.partition}`, { ...p, offset: -1 }); // -1: the latest
    this.#toWake = [];
    this.#waking = true;
    this.#consumer.offsetsForTimes([...unique.values()], 1_000, () => {
      this.#waking = false;
      if (this.#toWake.length > 0) this.#wakeFetchers([]);
    });
  }

  /** How long the next `consume` waits for a first message (asynchronous work in flight polls briefly). */
  setPollTimeout(ms: number): void {
    this.#consumer.setDefaultConsumeTimeout(ms);
  }

  /** The consumer's position (next offset to fetch) in a partition, or undefined when it has none yet. */
  position(topic: string, partition: number): number | undefined {
    const p = this.#consumer.position([{ topic, partition }])[0];
    return p && p.offset >= 0 ? p.offset : undefined;
  }

  /** Low and high watermark (high = offset of the next record to be written) of a partition, from the broker. */
  watermarks(topic: string, partition: number, timeoutMs = 10_000): Promise<{ low: number; high: number }> {
    return new Promise((resolve, reject) => {
      this.#consumer.queryWatermarkOffsets(topic, partition, timeoutMs, (err, w) =>
        err
          ? reject(toKafkaError(`queryWatermarkOffsets(${topic}-${partition})`, err))
          : resolve({ low: w.lowOffset, high: w.highOffset }),
      );
    });
  }

  /** Leaves the group (when subscribed) and closes the connection. */
  disconnect(): Promise<void> {
    this.#closed = true;
    if (!this.#connected) return Promise.resolve();
    this.#connected = false;
    // The consumer's disconnect takes only a callback (the producer's also takes a timeout).
    return new Promise((resolve) => {
      this.#consumer.disconnect(() => resolve());
    });
  }
}
