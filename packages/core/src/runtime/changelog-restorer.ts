import type { Logger } from '../config/logger.js';
import type { RestoreRecord, StoreChangelogPartition } from '@kaskade/state-store/internal';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import { loadNativeAddon } from '../kafka/native/native-consumer.js';
import { NativeRestoreConsumer } from '../kafka/native/native-restore-consumer.js';
import type { RestoreConsumer } from '../kafka/restore-consumer.js';
import { isTransientKafkaError } from '../kafka/retry-kafka.js';
import type { ClientConfig, ConsumedMessage, TopicPartition } from '../kafka/kafka-types.js';
import { RestoreProgressLog } from './restore-progress-log.js';
import type { StreamTask } from './stream-task.js';
import { checkChangelogContinuity } from './check-changelog-continuity.js';
import { checkChangelogTopicId, recordChangelogTopicIds } from './changelog-topic-ids.js';

/** Progress of one changelog partition's restoration, as reported to a restore listener. */
export interface RestoreProgress {
  readonly storeName: string;
  readonly topic: string;
  readonly partition: number;
  readonly startOffset: number;
  readonly endOffset: number;
  /** Records applied so far (in `onBatchRestored`: in this batch). */
  readonly restored: number;
}

/**
 * Hears about restoration: when a store starts catching up from its changelog, after each batch, and at the end.
 *
 * @see org.apache.kafka.streams.processor.StateRestoreListener
 */
export interface StateRestoreListener {
  onRestoreStart?(progress: RestoreProgress): void;
  onBatchRestored?(progress: RestoreProgress): void;
  onRestoreEnd?(progress: RestoreProgress): void;
}

export interface ChangelogRestorerOptions {
  readonly bootstrapServers: string;
  readonly applicationId: string;
  /** Exactly-once: read committed records only, so an aborted transaction never reaches a store. */
  readonly readCommitted: boolean;
  readonly config: ClientConfig;
  /** Settings of the admin client that looks up changelog offsets (security settings, as for the consumer). */
  readonly adminConfig?: ClientConfig;
  readonly logger: Logger;
  readonly listener?: StateRestoreListener;
  /** How often a long restoration logs its progress, in ms. Default: 5000. */
  readonly progressLogIntervalMs?: number;
  /** Whether changelogs are read through Kaskade's native addon (see `StreamsConfig.nativeClient`). Default 'auto'. */
  readonly nativeClient?: 'auto' | 'required' | 'off';
}

interface PartitionJob {
  readonly task: StreamTask;
  readonly storeName: string;
  readonly topic: string;
  readonly partition: number;
  readonly start: number;
  readonly end: number;
  restored: number;
  done: boolean;
}

/**
 * Brings the stores of new tasks up to date from their changelog partitions: from the offset each store recorded
 * (or the beginning) to the end (the last stable offset under exactly-once). Uses its own consumer without a group,
 * in large batches, one LMDB transaction per batch and partition.
 *
 * @see org.apache.kafka.streams.processor.internals.StoreChangelogReader
 */
export class ChangelogRestorer {
  readonly #options: ChangelogRestorerOptions;
  #consumer: RestoreConsumer | undefined;
  #admin: KafkaAdmin | undefined;
  /** How long the last `restore` spent opening the tasks' stores, in ms (for the rebalance phase log). */
  lastStoreOpenMs = 0;

  constructor(options: ChangelogRestorerOptions) {
    this.#options = options;
  }

  /** `nativeClient: 'required'` fails at construction, naming why, when the addon cannot be loaded. */
  static check(nativeClient: 'auto' | 'required' | 'off'): void {
    if (nativeClient === 'required') loadNativeAddon();
  }

  /** Restores all logged stores of the given tasks; returns the number of records applied. */
  async restore(tasks: readonly StreamTask[]): Promise<number> {
    const jobs: PartitionJob[] = [];
    const partitions: { task: StreamTask; cp: StoreChangelogPartition }[] = [];
    const openStart = Date.now();
    for (const task of tasks) task.openStores();
    this.lastStoreOpenMs = Date.now() - openStart;
    for (const task of tasks) {
      for (const cp of task.stateManager?.changelogPartitions() ?? []) partitions.push({ task, cp });
    }
    if (partitions.length === 0) return 0;
    const consumer = await this.#client();
    const bounds = await this.#bounds(partitions.map(({ cp }) => ({ topic: cp.topic, partition: cp.partition })));
    const topicIds = await this.#admin!.topicIds([...new Set(partitions.map(({ cp }) => cp.topic))]);
    for (const [i, { task, cp }] of partitions.entries()) {
      const { low, high } = bounds[i]!;
      checkChangelogContinuity(task, cp, low, high);
      checkChangelogTopicId(task, cp, topicIds);
      const start = Math.max(cp.committedOffset === undefined ? low : cp.committedOffset + 1, low);
      if (start >= high) continue;
      jobs.push({
        task,
        storeName: cp.storeName,
        topic: cp.topic,
        partition: cp.partition,
        start,
        end: high,
        restored: 0,
        done: false,
      });
    }
    // From here on the stores hold (or will hold) records of these topics.
    for (const task of tasks) recordChangelogTopicIds(task, topicIds);
    if (jobs.length === 0) return 0;
    const listener = this.#options.listener;
    for (const j of jobs) listener?.onRestoreStart?.(this.#progress(j, 0));
    const jobIndex = new Map<string, PartitionJob[]>();
    for (const j of jobs) {
      let byPartition = jobIndex.get(j.topic);
      if (!byPartition) jobIndex.set(j.topic, (byPartition = []));
      byPartition[j.partition] = j;
    }
    consumer.assignAt(jobs.map((j) => ({ topic: j.topic, partition: j.partition, offset: j.start })));
    const stores = [...new Set(jobs.map((j) => j.storeName))];
    const progress = new RestoreProgressLog(
      this.#options.logger,
      jobs.reduce((n, j) => n + (j.end - j.start), 0),
      `${stores.length === 1 ? 'store' : 'stores'} ${stores.join(', ')} (${jobs.length} changelog partitions)`,
      this.#options.progressLogIntervalMs,
    );
    let total = 0;
    let idlePolls = 0;
    try {
      while (jobs.some((j) => !j.done)) {
        let messages: readonly ConsumedMessage[];
        try {
          messages = await consumer.consumeBatch(10_000);
        } catch (e) {
          // A changelog partition's leader moving is not the end of restoration: poll again.
          if (!isTransientKafkaError(e)) throw e;
          this.#options.logger.warn(`restore: consume failed, polling again: ${e.message}`);
          messages = [];
        }
        if (messages.length === 0) {
          // Transaction markers and aborted records are never delivered, so the position can stop short of the high
          // watermark: after a few empty polls, ask the broker where the partition really ends.
          if (++idlePolls >= 3) {
            for (const j of jobs) {
              if (j.done) continue;
              const [{ high }] = (await this.#bounds([j])) as [{ low: number; high: number }];
              const pos = consumer.position(j.topic, j.partition);
              if (pos !== undefined && pos >= high) this.#finish(j);
            }
            idlePolls = 0;
          }
          continue;
        }
        idlePolls = 0;
        // Group by partition, keeping order; apply one batch per partition. Changelog records always have a key and
        // a timestamp, so the consumed messages are handed over as they are: no copy per record.
        const groups = new Map<PartitionJob, ConsumedMessage[]>();
        for (const m of messages) {
          const job = jobIndex.get(m.topic)?.[m.partition];
          if (!job || job.done || m.offset < job.start || m.offset >= job.end) continue;
          let list = groups.get(job);
          if (!list) groups.set(job, (list = []));
          list.push(m);
        }
        for (const [job, records] of groups) {
          job.task.stateManager!.restoreBatch(job.topic, job.partition, records as unknown as readonly RestoreRecord[]);
          job.restored += records.length;
          total += records.length;
          listener?.onBatchRestored?.(this.#progress(job, records.length));
          progress.restored(records.length);
          if (records[records.length - 1]!.offset >= job.end - 1) this.#finish(job);
        }
      }
    } finally {
      if (!consumer.reusable) this.#consumer = undefined;
      await consumer
        .release()
        .catch((e: Error) => this.#options.logger.warn(`restore: releasing the consumer: ${e.message}`));
    }
    for (const j of jobs) {
      this.#options.logger.info(
        `restored ${j.restored} records of store ${j.storeName} from ${j.topic}-${j.partition} (offsets ${j.start}..${j.end - 1}) for task ${j.task.idString}`,
        { store: j.storeName, restored: j.restored, startOffset: j.start, endOffset: j.end, consumer: consumer.kind },
      );
    }
    return total;
  }

  /**
   * Where a changelog partition starts and ends. Under exactly-once the end is the last stable offset: records of a
   * transaction still open (or never to be committed) are not part of any committed state.
   */
  async #bounds(partitions: readonly TopicPartition[]): Promise<{ low: number; high: number }[]> {
    // One admin request per kind of offset for all partitions: the consumer's per-partition watermark query is slow
    // (hundreds of ms) and would be paid per store.
    this.#admin ??= KafkaAdmin.create(this.#options.bootstrapServers, this.#options.adminConfig);
    const [low, high] = await Promise.all([
      this.#admin.listOffsets(partitions, 'earliest'),
      this.#admin.listOffsets(
        partitions,
        'latest',
        this.#options.readCommitted ? 'read_committed' : 'read_uncommitted',
      ),
    ]);
    return partitions.map((_, i) => ({ low: low[i]!.offset, high: high[i]!.offset }));
  }

  #finish(job: PartitionJob): void {
    job.done = true;
    this.#options.listener?.onRestoreEnd?.(this.#progress(job, job.restored));
  }

  #progress(job: PartitionJob, restored: number): RestoreProgress {
    return {
      storeName: job.storeName,
      topic: job.topic,
      partition: job.partition,
      startOffset: job.start,
      endOffset: job.end,
      restored,
    };
  }

  async #client(): Promise<RestoreConsumer> {
    this.#consumer ??= await this.#createConsumer();
    return this.#consumer;
  }

  async #createConsumer(): Promise<RestoreConsumer> {
    const o = this.#options;
    const groupId = `${o.applicationId}-restore`;
    const clientId = `${o.applicationId}-restore-consumer`;
    const isolationLevel = o.readCommitted ? 'read_committed' : 'read_uncommitted';
    const config = {
      // librdkafka stops fetching a partition once `queued.min.messages` (100 000) are queued and looks again
      // `fetch.queue.backoff.ms` (1 s) later: a restore that applies 100 000 records in well under a second would
      // then sit idle for the rest of it. Restoration drains as fast as LMDB takes it, so the consumer keeps
      // fetching (memory stays bounded by `queued.max.messages.kbytes`). A user's own settings win.
      'queued.min.messages': 1_000_000,
      'fetch.queue.backoff.ms': 10,
      ...o.config,
      'fetch.max.bytes': 52_428_800,
      'max.partition.fetch.bytes': 10_485_760,
    };
    if ((o.nativeClient ?? 'auto') !== 'off') {
      try {
        const native = new NativeRestoreConsumer({
          'bootstrap.servers': o.bootstrapServers,
          'group.id': groupId, // librdkafka's consumer queue needs one; nothing is subscribed or committed
          'client.id': clientId,
          'isolation.level': isolationLevel,
          ...config,
          'auto.offset.reset': 'earliest', // restoration starts at the stored offset or the log start, never the end
        });
        o.logger.debug('restoring changelogs through the native batch consumer');
        return native;
      } catch (e) {
        if (o.nativeClient === 'required') throw e;
        o.logger.info(`restoring changelogs through the Kafka client: ${(e as Error).message}`);
      }
    }
    const client = new KafkaConsumerClient({
      bootstrapServers: o.bootstrapServers,
      groupId,
      clientId,
      isolationLevel,
      config,
    });
    await client.connect();
    return {
      kind: 'client',
      assignAt: (partitions) => client.assignAt(partitions),
      consumeBatch: (max) => client.consumeBatch(max),
      position: (topic, partition) => client.position(topic, partition),
      reusable: true,
      release: async () => client.unassign([], 'EAGER'),
      disconnect: () => client.disconnect(),
    };
  }

  async close(): Promise<void> {
    await this.#consumer?.disconnect();
    this.#consumer = undefined;
    this.#admin?.close();
    this.#admin = undefined;
  }
}
