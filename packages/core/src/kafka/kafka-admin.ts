import { RdKafka } from '@confluentinc/kafka-javascript';
import type { IAdminClient, LibrdKafkaError } from '@confluentinc/kafka-javascript';
import './librdkafka-augment.js';
import { KafkaClientError } from '@kaskade/processor-api';
import { toKafkaError } from './kafka-client-error.js';
import { KafkaConsumerClient } from './kafka-consumer-client.js';
import { retryKafka } from './retry-kafka.js';
import type { ClientConfig, NewTopicSpec, TopicPartition, TopicPartitionOffset } from './kafka-types.js';

const ERR_TOPIC_ALREADY_EXISTS = 36;
const ERR_UNKNOWN_TOPIC_OR_PART = 3;

/** A consumer group as the admin API describes it. */
export interface GroupInfo {
  readonly groupId: string;
  /** `Stable`, `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Dead` or `Unknown`. */
  readonly state: string;
  readonly members: readonly GroupMemberInfo[];
}

/** One member of a consumer group and the partitions assigned to it. */
export interface GroupMemberInfo {
  readonly memberId: string;
  readonly clientId: string;
  readonly host: string;
  readonly partitions: readonly TopicPartition[];
}

/** librdkafka's ConsumerGroupStates, named as Kafka's tools print them. */
const GROUP_STATES: { readonly [state: number]: string } = {
  0: 'Unknown',
  1: 'PreparingRebalance',
  2: 'CompletingRebalance',
  3: 'Stable',
  4: 'Dead',
  5: 'Empty',
};

/** Where to set or look up an offset: earliest, latest, or the first offset at or after a timestamp. */
export type OffsetQuery = 'earliest' | 'latest' | { readonly timestampMs: number };

/**
 * Promise wrapper over librdkafka's admin client: topics, offsets and groups. Part of the Kafka client adapter —
 * the only module family that imports the client.
 */
/** Errors after which {@link KafkaAdmin.listOffsets} asks again through a new client (see there). */
const RENEW_ON = new Set([
  74 /* FENCED_LEADER_EPOCH */, 75 /* UNKNOWN_LEADER_EPOCH */, -195 /* _TRANSPORT */, -187 /* _ALL_BROKERS_DOWN */,
  8 /* BROKER_NOT_AVAILABLE */, -185 /* _TIMED_OUT */,
]);

export class KafkaAdmin {
  #client: IAdminClient;
  /** Makes a new native client with the same settings (fresh metadata). */
  readonly #make: () => IAdminClient;
  readonly #timeoutMs: number;
  readonly #bootstrapServers: string;
  readonly #config: ClientConfig;

  private constructor(make: () => IAdminClient, timeoutMs: number, bootstrapServers: string, config: ClientConfig) {
    this.#make = make;
    this.#client = make();
    this.#timeoutMs = timeoutMs;
    this.#bootstrapServers = bootstrapServers;
    this.#config = config;
  }

  /**
   * @param onLog receives librdkafka's log lines (severity as syslog: 3 = error), e.g. the cause of a connection that
   *   fails; see `ClientDiagnostics`
   */
  static create(
    bootstrapServers: string,
    config: ClientConfig = {},
    timeoutMs = 30_000,
    onLog?: (severity: number, message: string) => void,
  ): KafkaAdmin {
    const make = () =>
      RdKafka.AdminClient.create(
        {
          'bootstrap.servers': bootstrapServers,
          'client.id': 'kaskade-admin',
          ...(onLog ? { event_cb: true } : {}),
          ...config,
        } as never,
        onLog ? { 'event.log': (l: { severity: number; message: string }) => onLog(l.severity, l.message) } : undefined,
      );
    return new KafkaAdmin(make, timeoutMs, bootstrapServers, config);
  }

  /**
   * Creates topics; a topic that already exists is not an error (its partition count is checked by the caller).
   * Resolves once every topic is visible in the cluster's metadata, so a consumer subscribing next finds it.
   */
  async createTopics(specs: readonly NewTopicSpec[]): Promise<void> {
    await this.#createTopics(specs);
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const counts = await this.partitionCounts(specs.map((s) => s.topic));
      const missing = [...counts].filter(([, n]) => n === undefined).map(([t]) => t);
      if (missing.length === 0) return;
      if (Date.now() > deadline) {
        throw new KafkaClientError(
          `topics created but not visible in metadata after ${this.#timeoutMs} ms: ${missing.join(', ')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async #createTopics(specs: readonly NewTopicSpec[]): Promise<void> {
    await Promise.all(
      specs.map(
        (spec) =>
          new Promise<void>((resolve, reject) => {
            this.#client.createTopic(
              {
                topic: spec.topic,
                num_partitions: spec.partitions,
                replication_factor: spec.replicationFactor,
                config: { ...(spec.config ?? {}) },
              },
              this.#timeoutMs,
              (err: LibrdKafkaError) => {
                if (err && err.code !== ERR_TOPIC_ALREADY_EXISTS) {
                  reject(toKafkaError(`createTopic(${spec.topic})`, err, { topic: spec.topic }));
                } else resolve();
              },
            );
          }),
      ),
    );
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await Promise.all(
      topics.map(
        (topic) =>
          new Promise<void>((resolve, reject) => {
            this.#client.deleteTopic(topic, this.#timeoutMs, (err: LibrdKafkaError) => {
              if (err && err.code !== ERR_UNKNOWN_TOPIC_OR_PART) reject(toKafkaError(`deleteTopic(${topic})`, err));
              else resolve();
            });
          }),
      ),
    );
  }

  listTopics(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.#client.listTopics({ timeout: this.#timeoutMs }, (err: LibrdKafkaError, topics: string[]) =>
        err ? reject(toKafkaError('listTopics', err)) : resolve(topics),
      );
    });
  }

  /**
   * Deletes the records of each partition below the given offset (Kafka's DeleteRecords: the log start offset moves
   * up to it). Resolves with the new log start offsets.
   */
  deleteRecords(offsets: readonly TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
    if (offsets.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#client.deleteRecords(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
        { timeout: this.#timeoutMs, operationTimeout: this.#timeoutMs },
        (err, res) => {
          if (err) return reject(toKafkaError('deleteRecords', err));
          const failed = res.find((r) => r.error);
          if (failed) return reject(toKafkaError(`deleteRecords(${failed.topic}-${failed.partition})`, failed.error));
          resolve(res.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.lowWatermark })));
        },
      );
    });
  }

  /** Partition counts of the given topics; a missing topic maps to undefined. */
  async partitionCounts(topics: readonly string[]): Promise<Map<string, number | undefined>> {
    const result = new Map<string, number | undefined>();
    if (topics.length === 0) return result;
    const descriptions = await new Promise<{ name: string; partitions: unknown[]; error?: LibrdKafkaError }[]>(
      (resolve, reject) => {
        this.#client.describeTopics([...topics], { timeout: this.#timeoutMs }, (err, res) => {
          // A batch with a missing topic fails as a whole in some versions: fall back to one call per topic.
          if (err) reject(err);
          else resolve(res as never);
        });
      },
    ).catch(async () => {
      const one: { name: string; partitions: unknown[]; error?: LibrdKafkaError }[] = [];
      for (const t of topics) {
        const r = await new Promise<{ name: string; partitions: unknown[]; error?: LibrdKafkaError }>((resolve) => {
          this.#client.describeTopics([t], { timeout: this.#timeoutMs }, (err, res) => {
            if (err || !res?.[0]) resolve({ name: t, partitions: [], error: err ?? undefined });
            else resolve(res[0] as never);
          });
        });
        one.push(r);
      }
      return one;
    });
    for (const t of topics) result.set(t, undefined);
    for (const d of descriptions) {
      if (!d.error && d.partitions.length > 0) result.set(d.name, d.partitions.length);
    }
    return result;
  }

  /** Partitions of a topic with leader, replicas and in-sync replicas (node ids). */
  describeTopic(
    topic: string,
  ): Promise<{ partition: number; leader: number | undefined; replicas: number[]; isr: number[] }[]> {
    return new Promise((resolve, reject) => {
      this.#client.describeTopics([topic], { timeout: this.#timeoutMs }, (err, res) => {
        const d = res?.[0];
        if (err || !d || d.error) return reject(toKafkaError(`describeTopics(${topic})`, err ?? d?.error));
        resolve(
          d.partitions.map((p) => ({
            partition: p.partition,
            leader: p.leader?.id,
            replicas: p.replicas.map((n) => n.id),
            isr: p.isr.map((n) => n.id),
          })),
        );
      });
    });
  }

  /**
   * Each topic's id (hex), which Kafka assigns when the topic is created: a topic deleted and created again under
   * the same name has another. A missing topic is left out.
   */
  topicIds(topics: readonly string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    if (topics.length === 0) return Promise.resolve(ids);
    return new Promise((resolve, reject) => {
      this.#client.describeTopics([...topics], { timeout: this.#timeoutMs }, (err, res) => {
        if (err) return reject(toKafkaError('describeTopics', err));
        // The two 64-bit halves (the declared `base64str` is named `base64` at run time in 1.10.1).
        for (const d of res) {
          if (!d.error && d.topicId) {
            const { mostSignificantBits: hi, leastSignificantBits: lo } = d.topicId;
            if (hi !== 0n || lo !== 0n)
              ids.set(d.name, `${BigInt.asUintN(64, hi).toString(16)}-${BigInt.asUintN(64, lo).toString(16)}`);
          }
        }
        resolve(ids);
      });
    });
  }

  async topicExists(topic: string): Promise<boolean> {
    return (await this.partitionCounts([topic])).get(topic) !== undefined;
  }

  /**
   * Offsets for partitions: earliest, latest, or by timestamp (the first offset with timestamp >= t). Transient errors
   * — a leader that moved (stale epoch, not leader), a timeout while a broker restarts — are retried with backoff for
   * up to a minute (see `retryKafka`).
   */
  listOffsets(
    partitions: readonly TopicPartition[],
    query: OffsetQuery,
    isolation: 'read_committed' | 'read_uncommitted' = 'read_uncommitted',
  ): Promise<TopicPartitionOffset[]> {
    return retryKafka('listOffsets', () => this.#listOffsets(partitions, query, isolation), {
      // librdkafka's admin client keeps asking with the leader epoch it cached (code 74, "Leader epoch is older than
      // broker epoch") and a dead broker as leader: a new client starts from fresh metadata. Not at the first retry
      // for a partition whose leader is not known yet (a topic created moments before: the client learns it by itself
      // within ~100 ms, where a new client took up to 3 s to connect and look it up — a stall at task starts on a new
      // changelog); from the second on, as after a leader change the old client may not look again.
      onRetry: (e, attempt) => {
        if (RENEW_ON.has(e.kafkaCode) || attempt >= 2) this.#renew();
      },
    });
  }

  #renew(): void {
    const old = this.#client;
    this.#client = this.#make();
    old.disconnect();
  }

  #listOffsets(
    partitions: readonly TopicPartition[],
    query: OffsetQuery,
    isolation: 'read_committed' | 'read_uncommitted',
  ): Promise<TopicPartitionOffset[]> {
    if (partitions.length === 0) return Promise.resolve([]);
    const spec =
      query === 'earliest'
        ? RdKafka.OffsetSpec.EARLIEST
        : query === 'latest'
          ? RdKafka.OffsetSpec.LATEST
          : new RdKafka.OffsetSpec(query.timestampMs);
    return new Promise((resolve, reject) => {
      this.#client.listOffsets(
        partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: spec })),
        {
          timeout: this.#timeoutMs,
          isolationLevel:
            isolation === 'read_committed'
              ? RdKafka.IsolationLevel.READ_COMMITTED
              : RdKafka.IsolationLevel.READ_UNCOMMITTED,
        },
        (err, res) => {
          if (err) return reject(toKafkaError('listOffsets', err));
          const failed = res.find((r) => r.error);
          if (failed) return reject(toKafkaError(`listOffsets(${failed.topic}-${failed.partition})`, failed.error));
          resolve(res.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset })));
        },
      );
    });
  }

  /**
   * The group's committed offsets (next offset to read; -1001 when none) for the given partitions.
   *
   * Read through a consumer of the group that never joins it, not through the admin API: the client's
   * `listConsumerGroupOffsets` crashes the process (a NULL dereference in its native result conversion, 1.10.1) when
   * the group coordinator is not ready yet, e.g. right after a broker starts.
   */
  async groupOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const consumer = new KafkaConsumerClient({
      bootstrapServers: this.#bootstrapServers,
      groupId,
      clientId: 'kaskade-admin-offsets',
      config: this.#config,
    });
    await consumer.connect(this.#timeoutMs);
    try {
      return await consumer.committed(partitions, this.#timeoutMs);
    } finally {
      await consumer.disconnect();
    }
  }

  describeGroup(groupId: string): Promise<GroupInfo> {
    return new Promise((resolve, reject) => {
      this.#client.describeGroups([groupId], { timeout: this.#timeoutMs }, (err, res) => {
        if (err) return reject(toKafkaError(`describeGroups(${groupId})`, err));
        const g = res.groups[0];
        if (!g) return reject(toKafkaError(`describeGroups(${groupId})`, new Error('no result')));
        if (g.error) return reject(toKafkaError(`describeGroups(${groupId})`, g.error));
        resolve({
          groupId: g.groupId,
          state: GROUP_STATES[g.state] ?? `Unknown(${String(g.state)})`,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            clientId: m.clientId,
            host: m.clientHost,
            partitions: (m.assignment?.topicPartitions ?? []).map((tp) => ({
              topic: tp.topic,
              partition: tp.partition,
            })),
          })),
        });
      });
    });
  }

  deleteGroups(groupIds: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client.deleteGroups([...groupIds], { timeout: this.#timeoutMs }, (err) =>
        err ? reject(toKafkaError('deleteGroups', err)) : resolve(),
      );
    });
  }

  close(): void {
    this.#client.disconnect();
  }
}
