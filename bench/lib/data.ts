// The benchmark's input, as Kafka Streams' SimpleBenchmark makes it: 4-byte big-endian integer keys uniform over
// 10 000 keys, random values of a fixed size, preloaded into 3-partition topics before anything is timed.
//
// Timestamps are not the wall clock of the preload (which would make windows and joins depend on how fast the
// preload ran) but event time at EVENT_RATE records per second: record i is stamped base + ⌊i / 10⌋ ms, so each key
// turns up about once per second of event time, whatever the machine. The base lies in the past, so that the last
// record is stamped a minute before the preload started.
import { randomBytes } from 'node:crypto';
import { KafkaProducerClient } from '@kaskade/core/internal';
import type { KafkaAdmin } from '@kaskade/core/internal';

export const KEY_SPACE = 10_000;
export const PARTITIONS = 3;
/** Records per second of event time (the input's timestamps): with 10 000 keys, each key about once a second. */
export const EVENT_RATE = 10_000;

const KEY_SEED = 0x5eed;

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

/** The key (0 .. KEY_SPACE - 1) of every input record, in order: the same in every run for the same count. */
export function keySequence(records: number): Int32Array {
  const random = mulberry32(KEY_SEED);
  const keys = new Int32Array(records);
  for (let i = 0; i < records; i++) keys[i] = Math.floor(random() * KEY_SPACE);
  return keys;
}

/** Milliseconds of event time from the first input record to record i. */
export function eventTimeOffset(i: number): number {
  return Math.floor((i * 1000) / EVENT_RATE);
}

/**
 * The first input record's timestamp is a multiple of this, so that hopping windows (whose starts are multiples of
 * their advance) line up with the data the same way in every run: the windows of each record, and so the output of
 * a cached windowed count, can be counted from the data (`distinctWindows`).
 */
const BASE_ALIGNMENT_MS = 10_000;

/** The timestamp of the first input record for `records` records: the last one lands about a minute before now. */
export function baseTimestamp(records: number): number {
  const base = Date.now() - 60_000 - eventTimeOffset(records);
  return base - (base % BASE_ALIGNMENT_MS);
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

/** Where the input goes: every record to `main`, and with `split`, even records to `left` and odd ones to `right`. */
export interface InputTopics {
  readonly main: string;
  readonly split?: { readonly left: string; readonly right: string } | undefined;
}

/** The number of records in the left and right topics of the split input. */
export function splitSizes(records: number): { left: number; right: number } {
  return { left: Math.ceil(records / 2), right: Math.floor(records / 2) };
}

const KEY_BYTES = Array.from({ length: KEY_SPACE }, (_, k) => {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(k, 0);
  return b;
});

/** Produces one record, or returns false when the producer's queue is full (flush, then try again). */
type Produce = (topic: string, key: Buffer, timestamp: number) => boolean;

/**
 * Runs `send` with one producer, then waits until everything is delivered. Values are views into one random pool
 * at random offsets: random bytes without allocating a buffer per record.
 */
async function produceAll(
  bootstrapServers: string,
  valueBytes: number,
  send: (produce: Produce, flush: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const pool = randomBytes(Math.max(1 << 20, valueBytes * 64));
  const offsets = mulberry32(KEY_SEED + 1);
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
    const produce: Produce = (topic, key, timestamp) => {
      if (failed) throw failed;
      const offset = Math.floor(offsets() * (pool.length - valueBytes));
      return producer.produce(topic, -1, pool.subarray(offset, offset + valueBytes), key, timestamp);
    };
    await send(produce, () => producer.flush());
    await producer.flush();
  } finally {
    await producer.disconnect();
  }
  if (failed) throw failed;
}

async function expectRecords(admin: KafkaAdmin, topic: string, expected: number): Promise<void> {
  const written = await endOffsetSum(admin, topic);
  if (written !== expected) throw new Error(`preloaded ${written} records into ${topic}, expected ${expected}`);
}

/**
 * Produces the `records` input records to `topics.main` (and, split in two, to the left and right topics), all
 * created here, and waits until all are delivered.
 */
export async function preload(
  admin: KafkaAdmin,
  bootstrapServers: string,
  topics: InputTopics,
  records: number,
  valueBytes: number,
  base: number,
): Promise<void> {
  const { split } = topics;
  await createTopics(admin, split ? [topics.main, split.left, split.right] : [topics.main]);
  const keys = keySequence(records);
  await produceAll(bootstrapServers, valueBytes, async (produce, flush) => {
    for (let i = 0; i < records; i++) {
      const key = KEY_BYTES[keys[i]!]!;
      const timestamp = base + eventTimeOffset(i);
      while (!produce(topics.main, key, timestamp)) await flush();
      if (split) while (!produce(i % 2 === 0 ? split.left : split.right, key, timestamp)) await flush();
    }
  });
  await expectRecords(admin, topics.main, records);
  if (split) {
    const sizes = splitSizes(records);
    await expectRecords(admin, split.left, sizes.left);
    await expectRecords(admin, split.right, sizes.right);
  }
}

/**
 * Produces the table topic of the stream-table join: one record per key (KEY_SPACE records), stamped one second
 * before the first input record, so that a task that has both at hand takes the table's records first.
 */
export async function preloadTable(
  admin: KafkaAdmin,
  bootstrapServers: string,
  topic: string,
  valueBytes: number,
  base: number,
): Promise<void> {
  await createTopics(admin, [topic]);
  await produceAll(bootstrapServers, valueBytes, async (produce, flush) => {
    for (let k = 0; k < KEY_SPACE; k++) while (!produce(topic, KEY_BYTES[k]!, base - 1000)) await flush();
  });
  await expectRecords(admin, topic, KEY_SPACE);
}

/**
 * The number of (left, right) pairs of the split input with the same key and timestamps at most `windowMs` apart:
 * what an inner stream-stream join with `JoinWindows.ofTimeDifference…(windowMs)` emits when no record is late.
 */
export function streamJoinPairs(records: number, windowMs: number): number {
  const keys = keySequence(records);
  // Per key, the indexes of its left (even) and right (odd) records, in time order.
  const left: number[][] = Array.from({ length: KEY_SPACE }, () => []);
  const right: number[][] = Array.from({ length: KEY_SPACE }, () => []);
  for (let i = 0; i < records; i++) (i % 2 === 0 ? left : right)[keys[i]!]!.push(eventTimeOffset(i));
  let pairs = 0;
  for (let k = 0; k < KEY_SPACE; k++) {
    const l = left[k]!;
    const r = right[k]!;
    // For each left record, the right ones in [t - window, t + window]: two pointers over both sorted lists.
    let from = 0;
    let to = 0;
    for (const t of l) {
      while (from < r.length && r[from]! < t - windowMs) from++;
      if (to < from) to = from;
      while (to < r.length && r[to]! <= t + windowMs) to++;
      pairs += to - from;
    }
  }
  return pairs;
}

/** The number of distinct keys among the input records (`'left'`: among the even ones, the split input's left side). */
export function distinctKeys(records: number, side: 'all' | 'left' = 'all'): number {
  const keys = keySequence(records);
  const seen = new Uint8Array(KEY_SPACE);
  let distinct = 0;
  for (let i = 0; i < records; i += side === 'left' ? 2 : 1) {
    if (seen[keys[i]!] === 0) {
      seen[keys[i]!] = 1;
      distinct++;
    }
  }
  return distinct;
}

/**
 * The number of distinct (key, window) pairs of hopping windows of `sizeMs` advancing by `advanceMs` over the input:
 * what a windowed count with a record cache emits at least (every dirty entry is forwarded once when the cache is
 * flushed). Windows start at multiples of `advanceMs` of event time; `baseTimestamp` is a multiple of both here.
 */
export function distinctWindows(records: number, sizeMs: number, advanceMs: number): number {
  if (BASE_ALIGNMENT_MS % advanceMs !== 0) throw new Error(`window advance ${advanceMs} ms does not divide the base`);
  const keys = keySequence(records);
  const seen = new Set<number>();
  const perRecord = Math.ceil(sizeMs / advanceMs);
  for (let i = 0; i < records; i++) {
    const t = eventTimeOffset(i);
    // The windows [s, s + size) holding t start at the multiples s of the advance in (t - size, t].
    const last = Math.floor(t / advanceMs);
    for (let w = last; w > last - perRecord && w * advanceMs + sizeMs > t; w--) seen.add(w * KEY_SPACE + keys[i]!);
  }
  return seen.size;
}
