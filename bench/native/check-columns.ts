// A check of the prototype's columns (not a test: it needs the addon built, see packages/core/native/README.md).
// Produces records with null keys, tombstones, empty values and headers with the current client, and consumes them
// with both the current client and the native consumer: both must see the same. The native producer copies each
// consumed batch to another topic, and the native consumer must read the copy back unchanged. Differences from what
// was produced (the current client's own) are printed.
//   node --conditions=kaskade-source --import tsx bench/native/check-columns.ts   (starts a broker, or
//   KASKADE_BOOTSTRAP_SERVERS)
import { KafkaAdmin, KafkaConsumerClient, KafkaProducerClient } from '@kaskade/core/internal';
import type { KafkaCluster } from '@kaskade/testing';
import { NativeConsumer } from '../../packages/core/src/kafka/native/native-consumer.js';
import { NativeProducer } from '../../packages/core/src/kafka/native/native-producer.js';
import type { ColumnarBatch } from '../../packages/core/src/kafka/native/columnar-batch.js';
import { createTopics } from '../lib/data.js';

const RECORDS = 3000;
const BASE = 1_700_000_000_000;

interface Expected {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: { key: string; value: Buffer | null }[];
}

function expected(i: number): Expected {
  return {
    key: i % 7 === 0 ? null : Buffer.from(`key-${i % 100}`),
    value: i % 11 === 0 ? null : i % 13 === 0 ? Buffer.alloc(0) : Buffer.from(`value-${i}-`.repeat(1 + (i % 5))),
    timestamp: BASE + i,
    headers:
      i % 3 === 0
        ? [
            { key: 'h', value: Buffer.from(String(i)) },
            { key: 'ü', value: Buffer.from('x') },
          ]
        : [],
  };
}

/** Consumes `count` records of `topic` with the native consumer; returns them by their timestamp's index. */
async function consumeAll(servers: string, topic: string, count: number, onBatch?: (b: ColumnarBatch) => void) {
  const got = new Map<number, Expected>();
  let fail: (e: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    fail = reject;
    const consumer = new NativeConsumer({
      config: { 'bootstrap.servers': servers, 'group.id': `check-${topic}`, 'auto.offset.reset': 'earliest' },
      topics: [topic],
      maxBatch: 700,
      onBatch: (error, batch) => {
        if (error) return fail(error);
        const b = batch!;
        for (let i = 0; i < b.count; i++) {
          if (b.topic(i) !== topic) fail(new Error(`record ${i}: topic ${b.topic(i)}`));
          const headers = b.headers(i).map((h) => ({ key: h.key, value: h.value }));
          got.set(b.timestamps[i]! - BASE, { key: b.key(i), value: b.value(i), timestamp: b.timestamps[i]!, headers });
        }
        onBatch?.(b);
        if (got.size >= count) void consumer.close().then(resolve);
      },
    });
  });
  await done;
  return got;
}

/** The current client's view of `topic`, in the same shape. */
async function consumeAllClient(servers: string, topic: string): Promise<Map<number, Expected>> {
  const got = new Map<number, Expected>();
  const consumer = new KafkaConsumerClient({ bootstrapServers: servers, groupId: `check-client-${topic}` });
  await consumer.connect();
  consumer.subscribe([topic]);
  try {
    while (got.size < RECORDS) {
      for (const m of await consumer.consumeBatch(1000)) {
        const headers = (m.headers ?? []).flatMap((h) =>
          Object.entries(h).map(([key, value]) => ({ key, value: value === null ? null : Buffer.from(value) })),
        );
        const key = m.key === undefined || m.key === null ? null : Buffer.from(m.key);
        got.set(m.timestamp! - BASE, { key, value: m.value, timestamp: m.timestamp!, headers });
      }
    }
  } finally {
    await consumer.disconnect();
  }
  return got;
}

const same = (a: Buffer | null, b: Buffer | null | undefined): boolean =>
  a === null ? b === null : b !== null && b !== undefined && a.equals(b);

/** The indexes of the records where `got` differs from `want`. */
function differences(want: (i: number) => Expected | undefined, got: Map<number, Expected>): number[] {
  const out: number[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const e = want(i);
    const g = got.get(i);
    if (!e || !g || !same(e.key, g.key) || !same(e.value, g.value) || g.timestamp !== e.timestamp) out.push(i);
    else if (JSON.stringify(g.headers) !== JSON.stringify(e.headers)) out.push(i);
  }
  return out;
}

function mustMatch(what: string, want: (i: number) => Expected | undefined, got: Map<number, Expected>): void {
  if (got.size !== RECORDS) throw new Error(`${what}: ${got.size} distinct records, expected ${RECORDS}`);
  const diff = differences(want, got);
  if (diff.length > 0) {
    const i = diff[0]!;
    throw new Error(`${what}: ${diff.length} records differ, first ${i}: ${JSON.stringify([want(i), got.get(i)])}`);
  }
}

async function main(): Promise<void> {
  let broker: KafkaCluster | undefined;
  let servers = process.env['KASKADE_BOOTSTRAP_SERVERS'];
  if (!servers) {
    const { startKafka } = await import('@kaskade/testing');
    broker = await startKafka({ brokers: 1 });
    servers = broker.bootstrapServers;
  }
  const admin = KafkaAdmin.create(servers);
  try {
    const topic = `check-columns-${Date.now().toString(36)}`;
    await createTopics(admin, [topic, `${topic}-copy`]);
    const producer = new KafkaProducerClient({ bootstrapServers: servers });
    await producer.connect();
    for (let i = 0; i < RECORDS; i++) {
      const e = expected(i);
      const headers = e.headers.map((h) => ({ [h.key]: h.value }));
      producer.produce(topic, i % 3, e.value, e.key, e.timestamp, headers.length ? headers : undefined);
    }
    await producer.flush();
    await producer.disconnect();

    const copier = new NativeProducer({
      config: { 'bootstrap.servers': servers, 'enable.idempotence': true },
      onDelivery: (d) => {
        if (d.error) throw d.error;
      },
    });
    const native = await consumeAll(servers, topic, RECORDS, (b) => copier.produce(`${topic}-copy`, b, true));
    await copier.close();
    const client = await consumeAllClient(servers, topic);
    mustMatch('native consumer vs the current client', (i) => client.get(i), native);
    mustMatch(
      'native copy vs native consumer',
      (i) => native.get(i),
      await consumeAll(servers, `${topic}-copy`, RECORDS),
    );
    const written = differences(expected, client);
    const empties = written.filter((i) => expected(i).value?.length === 0);
    console.log(
      `ok: ${RECORDS} records (null keys, tombstones, empty values, headers): the native consumer reads what the ` +
        `current client reads, and the native producer's copy reads back the same. Records read back unlike the ` +
        `current client produced them: ${written.length} (empty values that came back null: ${empties.length})`,
    );
  } finally {
    admin.close();
    await broker?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
