// Helpers for tests of an application against a real broker (one that `startKafka` started, or any other), as
// Kafka Streams' IntegrationTestUtils: create and delete topics, produce records, read a topic to its end, and wait
// until an application has processed and committed everything in its source topics.
import type { KafkaStreams, Topology } from '@kaskade/core';
import { KafkaAdmin, KafkaConsumerClient, KafkaProducerClient, internalTopicName } from '@kaskade/core/internal';
import type { ConsumedMessage, TopicPartition, WireHeaders } from '@kaskade/core/internal';

/** A record to produce: key and value as strings (UTF-8) or bytes. */
export interface KafkaTestRecord {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly timestamp?: number;
  /** Explicit partition; by default the key's (murmur2, as Kafka's Java clients), or any for a null key. */
  readonly partition?: number;
  readonly headers?: WireHeaders;
}

/** Creates topics (replication factor: the broker's default). */
export async function createTopics(
  bootstrapServers: string,
  specs: readonly { topic: string; partitions: number; config?: { [key: string]: string } }[],
): Promise<void> {
  await withAdmin(bootstrapServers, (admin) => admin.createTopics(specs.map((s) => ({ ...s, replicationFactor: -1 }))));
}

/**
 * Deletes an application's traces from a shared broker: the given topics, the application's internal topics
 * (`<applicationId>-...`) and its consumer group.
 */
export async function deleteApplication(
  bootstrapServers: string,
  applicationId: string,
  topics: readonly string[] = [],
): Promise<void> {
  await withAdmin(bootstrapServers, async (admin) => {
    const internal = (await admin.listTopics()).filter((t) => t.startsWith(`${applicationId}-`));
    await admin.deleteTopics([...topics, ...internal]);
    await admin.deleteGroups([applicationId]).catch(() => undefined);
  });
}

/** Produces records in order and resolves once all are delivered. */
export async function produceRecords(
  bootstrapServers: string,
  topic: string,
  records: Iterable<KafkaTestRecord>,
): Promise<number> {
  let failed: Error | undefined;
  const producer = new KafkaProducerClient({
    bootstrapServers,
    config: { partitioner: 'murmur2_random', 'linger.ms': 10 },
    onDelivery: (r) => void (r.error && (failed ??= r.error)),
  });
  await producer.connect();
  let n = 0;
  try {
    for (const r of records) {
      const key = r.key === null || Buffer.isBuffer(r.key) ? r.key : Buffer.from(r.key);
      const value = r.value === null || Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      while (!producer.produce(topic, r.partition ?? -1, value, key, r.timestamp ?? Date.now(), r.headers)) {
        await producer.flush();
      }
      n++;
    }
    await producer.flush();
  } finally {
    await producer.disconnect();
  }
  if (failed) throw failed;
  return n;
}

/** The topics an application reads, as named in Kafka (internal ones prefixed with the application id). */
export function sourceTopicsOf(topology: Topology, applicationId: string): string[] {
  const internal = topology.internalTopics();
  const topics = topology.subtopologies().flatMap((s) => s.sourceTopics);
  return [...new Set(topics.map((t) => (internal.has(t) ? internalTopicName(applicationId, t) : t)))];
}

async function partitionsOf(admin: KafkaAdmin, topics: readonly string[]): Promise<TopicPartition[]> {
  const counts = await admin.partitionCounts(topics);
  return [...counts].flatMap(([topic, n]) => Array.from({ length: n ?? 0 }, (_, partition) => ({ topic, partition })));
}

/**
 * Resolves once the application has processed everything in its source topics — repartition topics included — and
 * committed it: then every result it will produce for that input is in its output topics (at-least-once flushes
 * output before committing input). Rejects when the application fails or the timeout passes.
 */
export async function waitUntilCaughtUp(
  streams: KafkaStreams,
  topology: Topology,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const { applicationId, bootstrapServers } = streams.config;
  const partitions = await withAdmin(bootstrapServers, (admin) =>
    partitionsOf(admin, sourceTopicsOf(topology, applicationId)),
  );
  // The group's committed offsets are read by a consumer of the group that never subscribes (so never joins it),
  // not by KafkaAdmin.groupOffsets: on a fresh broker whose group coordinator is not ready yet, the admin call
  // crashes the process (a NULL dereference in @confluentinc/kafka-javascript 1.10.1, common.cc
  // FromListConsumerGroupOffsetsResult), while the consumer waits for the coordinator.
  const reader = new KafkaConsumerClient({ bootstrapServers, groupId: applicationId });
  await reader.connect();
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  try {
    for (;;) {
      if (streams.state === 'ERROR' || streams.state === 'PENDING_ERROR' || streams.state === 'NOT_RUNNING') {
        throw streams.error ?? new Error(`the application stopped (state ${streams.state})`);
      }
      if (await caughtUp(reader, partitions)) return;
      if (Date.now() > deadline) throw new Error(`${applicationId} did not catch up with its input in time`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await reader.disconnect();
  }
}

async function caughtUp(reader: KafkaConsumerClient, partitions: readonly TopicPartition[]): Promise<boolean> {
  try {
    // Committed offsets first, end offsets second: an end offset read later covers everything written before the
    // commit we saw (a repartition topic's records are flushed before the offsets of their input are committed).
    const committed = await reader.committed(partitions, 10_000);
    for (const c of committed) {
      const { high } = await reader.watermarks(c.topic, c.partition);
      if (high > 0 && !(c.offset !== undefined && c.offset >= high)) return false;
    }
    return true;
  } catch {
    return false; // a broker still electing leaders or loading the group: ask again
  }
}

/**
 * Reads every record of a topic, from the beginning to the end offsets it has when the call starts.
 *
 * `isolation` defaults to `'read_committed'`, as a downstream consumer of an exactly-once application reads: records
 * of aborted transactions (a killed instance's last one, a rewound one) are left out, and the read waits for open
 * transactions below those end offsets to end. On topics written without transactions both levels read the same.
 */
export async function readToEnd(
  bootstrapServers: string,
  topic: string,
  options: { timeoutMs?: number; isolation?: 'read_committed' | 'read_uncommitted' } = {},
): Promise<ConsumedMessage[]> {
  const partitions = await withAdmin(bootstrapServers, (admin) => partitionsOf(admin, [topic]));
  const consumer = new KafkaConsumerClient({
    bootstrapServers,
    groupId: `kaskade-reader-${process.pid}-${Date.now().toString(36)}`,
    isolationLevel: options.isolation ?? 'read_committed',
  });
  await consumer.connect();
  const out: ConsumedMessage[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    const ranges = await Promise.all(
      partitions.map(async (p) => ({ ...p, ...(await consumer.watermarks(p.topic, p.partition)) })),
    );
    const ends = new Map(ranges.map((r) => [r.partition, r.high]));
    const pending = new Set(ranges.filter((r) => r.low < r.high).map((r) => r.partition));
    if (pending.size === 0) return [];
    consumer.assignAt(ranges.filter((r) => pending.has(r.partition)).map((r) => ({ ...r, offset: r.low })));
    while (pending.size > 0) {
      if (Date.now() > deadline) throw new Error(`timed out reading ${topic} to its end`);
      for (const m of await consumer.consumeBatch(5000)) {
        if (m.offset < ends.get(m.partition)!) out.push(m);
      }
      // The position, not the last record seen: under exactly-once the last offsets may be transaction markers.
      for (const p of pending) if ((consumer.position(topic, p) ?? -1) >= ends.get(p)!) pending.delete(p);
    }
  } finally {
    await consumer.disconnect();
  }
  return out;
}

async function withAdmin<T>(bootstrapServers: string, fn: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = KafkaAdmin.create(bootstrapServers);
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}
