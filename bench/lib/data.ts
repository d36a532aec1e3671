// The benchmark's input, as Kafka Streams' SimpleBenchmark makes it: 4-byte big-endian integer keys uniform over
// 10 000 keys, random values of a fixed size, preloaded into a 3-partition topic before anything is timed.
import { randomBytes } from 'node:crypto';
import { KafkaProducerClient } from '@kaskade/core';
import type { KafkaAdmin } from '@kaskade/core';

export const KEY_SPACE = 10_000;
export const PARTITIONS = 3;

/** A small, seeded PRNG (mulberry32): the same key sequence in every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function createTopics(admin: KafkaAdmin, topics: readonly string[]): Promise<void> {
  await admin.createTopics(topics.map((topic) => ({ topic, partitions: PARTITIONS, replicationFactor: -1 })));
}

/** Records in a topic by its end offsets (control records of transactions included). */
export async function endOffsetSum(admin: KafkaAdmin, topic: string): Promise<number> {
  const partitions = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }));
  const offsets = await admin.listOffsets(partitions, 'latest');
  return offsets.reduce((sum, o) => sum + o.offset, 0);
}

/**
 * Produces `records` records to `topic` (created here) and waits until all are delivered. Values are views into one
 * random pool at random offsets: random bytes without allocating a buffer per record.
 */
export async function preload(
  admin: KafkaAdmin,
  bootstrapServers: string,
  topic: string,
  records: number,
  valueBytes: number,
): Promise<void> {
  await createTopics(admin, [topic]);
  const random = mulberry32(0x5eed);
  const keys = Array.from({ length: KEY_SPACE }, (_, k) => {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(k, 0);
    return b;
  });
  const pool = randomBytes(Math.max(1 << 20, valueBytes * 64));
  let failed: Error | undefined;
  const producer = new KafkaProducerClient({
    bootstrapServers,
    // The same partitioner as the runtime, so that a key's partition is the one Kafka Streams would choose.
    config: { partitioner: 'murmur2_random', 'linger.ms': 20, 'batch.size': 1_000_000 },
    onDelivery: (r) => {
      if (r.error) failed ??= r.error;
    },
  });
  await producer.connect();
  try {
    for (let i = 0; i < records; i++) {
      const key = keys[Math.floor(random() * KEY_SPACE)]!;
      const offset = Math.floor(random() * (pool.length - valueBytes));
      const value = pool.subarray(offset, offset + valueBytes);
      while (!producer.produce(topic, -1, value, key, Date.now())) await producer.flush();
      if (failed) throw failed;
    }
    await producer.flush();
  } finally {
    await producer.disconnect();
  }
  if (failed) throw failed;
  const written = await endOffsetSum(admin, topic);
  if (written !== records) throw new Error(`preloaded ${written} records into ${topic}, expected ${records}`);
}
