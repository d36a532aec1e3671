// A check of the prototype's columns against what was produced (not a test: it needs the addon built, see
// packages/core/native/README.md). Produces records with null keys, tombstones, empty values and headers with the
// current client, consumes them with the native consumer, then passes them through the native producer and consumes
// the copy: every key, value, timestamp and header must come back, and a consumed batch must go back out unchanged.
//   node --conditions=kaskade-source --import tsx bench/native/check-columns.ts   (starts a broker, or
//   KASKADE_BOOTSTRAP_SERVERS)
import { KafkaAdmin, KafkaProducerClient } from '@kaskade/core/internal';
import type { KafkaCluster } from '@kaskade/testing';
import { NativeConsumer } from '../../packages/core/native/lib/native-consumer.js';
import { NativeProducer } from '../../packages/core/native/lib/native-producer.js';
import type { ColumnarBatch } from '../../packages/core/native/lib/columnar-batch.js';
import { createTopics } from '../lib/data.js';

const RECORDS = 3000;
const BASE = 1_700_000_000_000;

interface Expected {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: { key: string; value: Buffer }[];
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
          const headers = b.headers(i).map((h) => ({ key: h.key, value: h.value! }));
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

function compare(got: Map<number, Expected>, withHeaders: boolean): void {
  if (got.size !== RECORDS) throw new Error(`consumed ${got.size} distinct records, expected ${RECORDS}`);
  for (let i = 0; i < RECORDS; i++) {
    const e = expected(i);
    const g = got.get(i);
    const same = (a: Buffer | null, b: Buffer | null | undefined): boolean =>
      a === null ? b === null : b !== null && b !== undefined && a.equals(b);
    if (!g || !same(e.key, g.key) || !same(e.value, g.value) || g.timestamp !== e.timestamp) {
      throw new Error(`record ${i}: expected ${JSON.stringify(e)}, got ${JSON.stringify(g)}`);
    }
    if (withHeaders && JSON.stringify(g.headers) !== JSON.stringify(e.headers)) {
      throw new Error(`record ${i}: headers ${JSON.stringify(g.headers)}, expected ${JSON.stringify(e.headers)}`);
    }
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
    compare(await consumeAll(servers, topic, RECORDS, (b) => copier.produce(`${topic}-copy`, b, true)), true);
    await copier.close();
    // The producer prototype does not write headers yet: the copy is compared without them.
    compare(await consumeAll(servers, `${topic}-copy`, RECORDS), false);
    console.log(`ok: ${RECORDS} records (null keys, tombstones, empty values, headers) consumed and copied intact`);
  } finally {
    admin.close();
    await broker?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
