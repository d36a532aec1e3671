import type { StreamsConfig } from '../config/streams-config.js';
import type { KafkaAdmin } from '../kafka/kafka-admin.js';
import { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import type { ConsumedMessage, TopicPartition } from '../kafka/kafka-types.js';
import { isTransientKafkaError } from '../kafka/retry-kafka.js';
import type { Topology } from '../topology/topology.js';
import { GlobalStateUpdateTask } from './global-state-update-task.js';
import type { TaskEnvironment } from './task-environment.js';

/** librdkafka's "from the beginning of the partition". */
const OFFSET_BEGINNING = -2;

/**
 * Keeps the global stores of an instance up to date: a consumer of its own, outside the application's group
 * (`assign()` of every partition of the global topics, no committed offsets: the position lives in the stores'
 * checkpoint). `bootstrap` reads every partition to its end before the instance joins its group, so tasks start with
 * the whole table; afterwards the stream thread's loop calls `poll` once per turn, which applies whatever the consumer
 * has fetched without waiting for more (one call per batch, none per record) and flushes the stores at the commit
 * interval.
 *
 * Kafka Streams runs this in a thread of its own; here it shares the stream thread's loop (JavaScript has one), so a
 * global update is never applied in the middle of a record, and a task sees the global table as of its last poll.
 *
 * @see org.apache.kafka.streams.processor.internals.GlobalStreamThread
 */
export class GlobalStreamThread {
  readonly task: GlobalStateUpdateTask;
  readonly #config: StreamsConfig;
  #consumer: KafkaConsumerClient | undefined;
  #lastFlushMs = 0;
  #dirty = false;

  constructor(config: StreamsConfig, topology: Topology, env: TaskEnvironment) {
    this.#config = config;
    this.task = new GlobalStateUpdateTask(topology, env);
  }

  /** A global thread when the topology has global stores, else undefined (nothing to pay for). */
  static create(config: StreamsConfig, topology: Topology, env: TaskEnvironment): GlobalStreamThread | undefined {
    return GlobalStateUpdateTask.needed(topology) ? new GlobalStreamThread(config, topology, env) : undefined;
  }

  /**
   * Opens the global stores and reads every partition of their topics from the checkpoint (or the beginning) to the
   * end offset it had when bootstrapping began (the last stable offset under exactly-once); then the processors of
   * the global stores are initialized and the stores flushed.
   */
  async bootstrap(admin: KafkaAdmin): Promise<void> {
    const cfg = this.#config;
    const eos = cfg.processingGuarantee === 'exactly_once_v2';
    const checkpoint = this.task.open();
    this.task.initialize();
    const topics = this.task.topics();
    const counts = await admin.partitionCounts(topics);
    const partitions: TopicPartition[] = [];
    for (const topic of topics) {
      for (let p = 0; p < (counts.get(topic) ?? 0); p++) partitions.push({ topic, partition: p });
    }
    const [lows, ends] = await Promise.all([
      admin.listOffsets(partitions, 'earliest'),
      admin.listOffsets(partitions, 'latest', eos ? 'read_committed' : 'read_uncommitted'),
    ]);
    const consumer = new KafkaConsumerClient({
      bootstrapServers: cfg.bootstrapServers,
      // librdkafka needs a group id; it is never joined (assign, no subscribe) and nothing is committed to it.
      groupId: `${cfg.applicationId}-global`,
      clientId: `${cfg.applicationId}-${cfg.instanceId}-global-consumer`,
      isolationLevel: eos ? 'read_committed' : 'read_uncommitted',
      autoOffsetReset: 'earliest',
      pollTimeoutMs: cfg.pollMs,
      config: cfg.consumerConfig,
      onError: (e) => cfg.logger.warn(`global consumer: ${e.message}`),
    });
    this.#consumer = consumer;
    await consumer.connect();
    const remaining = new Map<string, number>();
    const starts = partitions.map((tp, i) => {
      const key = `${tp.topic}:${tp.partition}`;
      const saved = checkpoint.get(key);
      const end = ends[i]!.offset;
      if (Math.max(saved ?? 0, lows[i]!.offset) < end) remaining.set(key, end);
      return { ...tp, offset: saved ?? OFFSET_BEGINNING };
    });
    consumer.assignAt(starts);
    let read = 0;
    let idlePolls = 0;
    while (remaining.size > 0) {
      const messages = await this.#consume(consumer, 10_000);
      for (const m of messages) {
        this.task.update(m);
        const key = `${m.topic}:${m.partition}`;
        const end = remaining.get(key);
        if (end !== undefined && m.offset + 1 >= end) remaining.delete(key);
      }
      read += messages.length;
      // Transaction markers are never delivered: the position may stop short of the end. Ask where it is.
      if (messages.length === 0 && ++idlePolls >= 3) {
        idlePolls = 0;
        for (const [key, end] of remaining) {
          const [topic, partition] = splitKey(key);
          const position = consumer.position(topic, partition);
          if (position !== undefined && position >= end) remaining.delete(key);
        }
      }
    }
    this.task.flush();
    this.#lastFlushMs = Date.now();
    // From now on the loop polls without waiting: updates are applied between the tasks' batches.
    consumer.setPollTimeout(0);
    cfg.logger.info(`global stores bootstrapped: ${read} records from ${partitions.length} partitions`, {
      records: read,
      partitions: partitions.length,
    });
  }

  /** Applies what the consumer has fetched (without waiting for more), and flushes the stores at the commit interval. */
  async poll(now: number): Promise<void> {
    const consumer = this.#consumer;
    if (consumer === undefined) return;
    const messages = await this.#consume(consumer, this.#config.maxPollRecords);
    for (let i = 0; i < messages.length; i++) this.task.update(messages[i]!);
    if (messages.length > 0) this.#dirty = true;
    if (this.#dirty && now - this.#lastFlushMs >= this.#config.commitIntervalMs) {
      this.task.flush();
      this.#lastFlushMs = now;
      this.#dirty = false;
    }
  }

  /** Flushes the stores (with their checkpoint), closes them and the consumer. */
  async close(): Promise<void> {
    try {
      if (this.#consumer !== undefined) this.task.flush();
    } finally {
      this.task.close();
      await this.#consumer?.disconnect().catch(() => undefined);
      this.#consumer = undefined;
    }
  }

  async #consume(consumer: KafkaConsumerClient, max: number): Promise<readonly ConsumedMessage[]> {
    try {
      return await consumer.consumeBatch(max);
    } catch (e) {
      if (!isTransientKafkaError(e)) throw e;
      this.#config.logger.warn(`global consumer: consume failed, polling again: ${e.message}`);
      return [];
    }
  }
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf(':');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}
