// The stream thread's native producer (packages/core/native, `NativeProducerClient`) on the real broker: what it
// writes reads back exactly as the Kafka client's producer writes it (null and empty keys and values, headers,
// timestamps, explicit and partitioner-chosen partitions), its delivery reports add up to the records sent with the
// right last offsets, a full queue refuses records without losing or reordering any, a record the topic cannot take
// is reported as failed, and a topology without exactly-once produces through it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, Topology, silentLogger } from '@kaskade/core';
import type { ProcessorContext, Record } from '@kaskade/processor-api';
import type { Logger } from '@kaskade/core';
import { KafkaProducerClient, NativeConsumerClient, NativeProducerClient } from '@kaskade/core/internal';
import type { DeliveryReport, ProducerClient, ProducerClientOptions, WireHeaders } from '@kaskade/core/internal';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { readToEnd } from '@kaskade/testing';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Sent {
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers?: WireHeaders;
}

/** 1 500 records covering what a record can be: null and empty keys and values, headers, both partition choices. */
function records(): Sent[] {
  const out: Sent[] = [];
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < 1500; i++) {
    const key = i % 10 === 0 ? null : i % 10 === 1 ? Buffer.alloc(0) : Buffer.from(`key-${i % 97}`);
    const value = i % 7 === 0 ? null : i % 7 === 1 ? Buffer.alloc(0) : Buffer.from(`value-${i}-`.repeat(1 + (i % 5)));
    const headers: WireHeaders | undefined =
      i % 11 === 0 ? [{ trace: `t-${i}` }, { bin: Buffer.from([0, 1, 2, i % 256]) }, { trace: 'again' }] : undefined;
    // Explicit partitions, except keyed records every third time, which the partitioner places.
    const partition = key !== null && key.length > 0 && i % 3 === 0 ? -1 : i % 3;
    out.push({ partition, key, value, timestamp: t0 + i, ...(headers ? { headers } : {}) });
  }
  return out;
}

const shape = (b: Buffer | string | null | undefined) =>
  b === null || b === undefined ? null : Buffer.from(b).toString('hex');

async function writeAndRead(client: ProducerClient, topic: string, sent: Sent[]) {
  await client.connect();
  for (const r of sent) {
    while (!client.produce(topic, r.partition, r.value, r.key, r.timestamp, r.headers)) await client.flush();
  }
  await client.flush();
  await client.disconnect();
  const read = await readToEnd(bootstrapServers(), topic);
  return read.map((m) => ({
    partition: m.partition,
    offset: m.offset,
    key: shape(m.key),
    value: shape(m.value),
    timestamp: m.timestamp,
    headers: (m.headers ?? []).map((h) => Object.entries(h).map(([k, v]) => [k, shape(v)])),
  }));
}

describe('the native producer (real broker)', () => {
  it('should write exactly what the Kafka client writes, and report every delivery with the last offset per partition', async () => {
    const [nativeTopic, clientTopic] = [uniqueName('native-producer'), uniqueName('client-producer')];
    await createTopics({ topic: nativeTopic, partitions: 3 }, { topic: clientTopic, partitions: 3 });
    const sent = records();
    const delivered = new Map<number, { count: number; last: number }>();
    const failures: DeliveryReport[] = [];
    const options: ProducerClientOptions = {
      bootstrapServers: bootstrapServers(),
      config: { partitioner: 'murmur2_random' },
      onDelivery: (r) => failures.push(r),
      onDelivered: (topic, partition, count, lastOffset) => {
        expect(topic).toBe(nativeTopic);
        const d = delivered.get(partition) ?? { count: 0, last: -1 };
        delivered.set(partition, { count: d.count + count, last: Math.max(d.last, lastOffset) });
      },
    };
    const native = await writeAndRead(new NativeProducerClient(options), nativeTopic, sent);
    const client = await writeAndRead(
      new KafkaProducerClient({ bootstrapServers: bootstrapServers(), config: { partitioner: 'murmur2_random' } }),
      clientTopic,
      sent,
    );
    expect(failures).toEqual([]);
    expect(native.length).toBe(sent.length);
    const byPartition = (rows: typeof native) => [0, 1, 2].map((p) => rows.filter((r) => r.partition === p));
    // Same records in the same order in every partition: the partitioner, bytes, nulls, headers and timestamps agree.
    expect(byPartition(native)).toEqual(byPartition(client));
    expect(native.filter((r) => r.key === null).length).toBe(150);
    expect(native.filter((r) => r.value === '').length).toBeGreaterThan(200);
    expect(native.filter((r) => r.headers.length === 3).length).toBe(137);
    for (const p of [0, 1, 2]) {
      const rows = native.filter((r) => r.partition === p);
      expect(delivered.get(p)).toEqual({ count: rows.length, last: rows[rows.length - 1]!.offset });
    }
  });

  it('should keep every delivery report when transactions commit and abort while deliveries are under way', async () => {
    // librdkafka's commit and abort flush, polling on the calling thread while the producer's poll thread polls too:
    // delivery callbacks run on both at once (this lost reports, and once crashed, before they were serialized).
    const topic = uniqueName('native-txn');
    await createTopics({ topic, partitions: 3 });
    let delivered = 0;
    const failures: DeliveryReport[] = [];
    const producer = new NativeProducerClient({
      bootstrapServers: bootstrapServers(),
      transactionalId: `${topic}-tx`,
      onDelivery: (r) => failures.push(r),
      onDelivered: (_topic, _partition, count) => (delivered += count),
    });
    await producer.connect();
    await producer.initTransactions();
    const value = Buffer.alloc(1024, 7);
    const [transactions, perTransaction] = [30, 2000];
    let committed = 0;
    let sent = 0;
    for (let t = 0; t < transactions; t++) {
      await producer.beginTransaction();
      for (let i = 0; i < perTransaction; i++) {
        while (!producer.produce(topic, i % 3, value, Buffer.from(`t${t}-${i}`), Date.now())) await producer.flush();
        sent++;
      }
      if (t % 5 === 4) {
        // An abort right after sending can fail with INVALID_TXN_STATE on either client (librdkafka issue #4849; the
        // runtime replaces the producer then): these records are delivered first.
        await producer.flush();
        await producer.abortTransaction();
      } else {
        // No flush first: the commit meets deliveries still on their way.
        await producer.commitTransaction();
        committed += perTransaction;
      }
    }
    // Records still in the columns when an abort comes (handed over after the current turn) are reported purged.
    await producer.beginTransaction();
    for (let i = 0; i < 10; i++) expect(producer.produce(topic, 0, value, null, Date.now())).toBe(true);
    sent += 10;
    const aborted = producer.abortTransaction();
    expect(failures.length).toBe(10);
    await aborted;
    await producer.flush();
    await producer.disconnect();
    // Records an abort purged are reported failed (librdkafka's purge codes); no other failure.
    const purged = failures.filter((f) => [-152, -151].includes((f.error as { kafkaCode?: number }).kafkaCode ?? 0));
    expect(failures.length - purged.length).toBe(0);
    expect(delivered + purged.length).toBe(sent);
    expect(delivered).toBeGreaterThanOrEqual(committed);
    const read = await readTopic(topic, (all) => all.length >= committed, {
      isolation: 'read_committed',
      timeoutMs: 60_000,
    });
    const extra = await readTopic(topic, (all) => all.length > committed, {
      isolation: 'read_committed',
      timeoutMs: 2000,
    });
    expect(read.length).toBe(committed);
    expect(extra.length).toBe(committed);
  });

  it('should refuse records while its queue is full, and lose or reorder none of them', async () => {
    const topic = uniqueName('native-producer-full');
    await createTopics({ topic, partitions: 1 });
    let delivered = 0;
    let refused = 0;
    const p = new NativeProducerClient({
      bootstrapServers: bootstrapServers(),
      config: { 'queue.buffering.max.messages': 50 },
      onDelivered: (_t, _p, count) => (delivered += count),
    });
    await p.connect();
    for (let i = 0; i < 5000; i++) {
      const value = Buffer.from(String(i));
      while (!p.produce(topic, 0, value, null, Date.now())) {
        refused++;
        await p.flush();
      }
    }
    // No flush: the records the full queue refused last go in as delivery reports make room.
    await eventually(() => delivered === 5000, 30_000, 'every record delivered without a flush');
    await p.disconnect();
    expect(refused).toBeGreaterThan(0);
    const read = await readToEnd(bootstrapServers(), topic);
    expect(read.map((m) => Number(m.value!.toString()))).toEqual([...Array(5000).keys()]);
  });

  it('should report a record the topic cannot take as failed, with its topic and partition, and deliver the rest', async () => {
    const topic = uniqueName('native-producer-fail');
    await createTopics({ topic, partitions: 2 });
    const failures: DeliveryReport[] = [];
    let delivered = 0;
    const p = new NativeProducerClient({
      bootstrapServers: bootstrapServers(),
      onDelivery: (r) => failures.push(r),
      onDelivered: (_t, _p, count) => (delivered += count),
    });
    p.produce(topic, 0, Buffer.from('a'), null, Date.now());
    await p.flush(); // the topic's metadata is known now
    p.produce(topic, 5, Buffer.from('b'), null, Date.now());
    p.produce(topic, 1, Buffer.from('c'), null, Date.now());
    await p.flush();
    expect(() => p.produce(topic, 0, Buffer.alloc(2_000_000), null, Date.now())).toThrow(/Message size too large/);
    await p.disconnect();
    expect(delivered).toBe(2);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ topic, partition: 5 });
    expect(failures[0]!.error?.message).toMatch(/Unknown partition/i);
  });

  it('should keep a null header value null from the native producer through the native consumer, as Kafka Streams does', async () => {
    const [input, output] = [uniqueName('native-null-header-in'), uniqueName('native-null-header-out')];
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const p = new NativeProducerClient({ bootstrapServers: bootstrapServers() });
    await p.connect();
    p.produce(input, 0, Buffer.from('v'), Buffer.from('k'), Date.now(), [{ n: null }, { e: Buffer.alloc(0) }]);
    await p.flush();
    await p.disconnect();
    // Read by a topology (the native consumer), which writes the record on (the native producer) with a header it
    // adds as null too; what it saw is kept for the assertion.
    const seen: (Buffer | null)[][] = [];
    const topology = new Topology()
      .addSource('in', input)
      .addProcessor(
        'look',
        () => {
          let context: ProcessorContext<unknown, unknown>;
          return {
            init: (c: ProcessorContext<unknown, unknown>) => (context = c),
            process: (r: Record<unknown, unknown>) => {
              seen.push([...r.headers].map((h) => h.value as Buffer | null));
              context.forward(r.withHeaders(r.headers.add('added', null)));
            },
          };
        },
        'in',
      )
      .addSink('out', output, {}, 'look');
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-native-producer-'));
    dirs.push(stateDir);
    const streams = new KafkaStreams(topology, {
      applicationId: uniqueName('native-null-header-app'),
      bootstrapServers: bootstrapServers(),
      stateDir,
      logger: silentLogger,
      nativeClient: 'required',
    });
    await streams.start();
    try {
      await eventually(() => seen.length === 1, 60_000, 'the record read');
      expect(seen[0]).toEqual([null, Buffer.alloc(0)]);
      const againSeen: (Buffer | string | null)[][] = [];
      await eventually(async () => (await readToEnd(bootstrapServers(), output)).length === 1, 30_000, 'the output');
      const back = new NativeConsumerClient({ bootstrapServers: bootstrapServers(), groupId: uniqueName('nh-read') });
      await back.connect();
      back.assignAt([{ topic: output, partition: 0, offset: 0 }]);
      await eventually(
        async () => {
          for (const m of await back.consumeBatch(10))
            againSeen.push((m.headers ?? []).map((h) => Object.values(h)[0]!));
          return againSeen.length === 1;
        },
        30_000,
        'the output read back',
      );
      await back.disconnect();
      expect(againSeen[0]).toEqual([null, Buffer.alloc(0), null]);
    } finally {
      await streams.close();
    }
  });

  it("should hand a record the sink's partitioner puts on a partition the topic lacks to the production handler, with its source record", async () => {
    const [input, output] = [uniqueName('native-producer-part-in'), uniqueName('native-producer-part-out')];
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 2 });
    const S = Serdes.String();
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S)).to(
      output,
      Produced.with(S, S, (_topic, key) => (key === 'bad' ? 5 : 1)),
    );
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-native-producer-'));
    dirs.push(stateDir);
    const handled: { topic: string; partition?: number | undefined; source?: string; message: string }[] = [];
    const streams = new KafkaStreams(b.build(), {
      applicationId: uniqueName('native-producer-part-app'),
      bootstrapServers: bootstrapServers(),
      stateDir,
      logger: silentLogger,
      nativeClient: 'required',
      productionExceptionHandler: {
        handle: (context, error) => {
          handled.push({
            topic: context.topic,
            partition: context.partition,
            source: context.sourceRecord?.value?.toString(),
            message: error.message,
          });
          return { action: 'CONTINUE' };
        },
      },
    });
    await streams.start();
    try {
      await produce(input, [
        { key: 'a', value: 'one' },
        { key: 'bad', value: 'two' },
        { key: 'c', value: 'three' },
      ]);
      await eventually(async () => (await readToEnd(bootstrapServers(), output)).length >= 2, 60_000, '2 outputs');
      const read = await readToEnd(bootstrapServers(), output);
      expect(read.map((m) => [m.partition, m.value!.toString()])).toEqual([
        [1, 'one'],
        [1, 'three'],
      ]);
      expect(handled).toEqual([
        {
          topic: output,
          partition: 5,
          source: 'two',
          message: expect.stringMatching(/partitioner chose partition 5 .* which has 2/),
        },
      ]);
    } finally {
      await streams.close();
    }
  });

  it('should be what a topology without exactly-once produces through', async () => {
    const [input, output] = [uniqueName('native-producer-in'), uniqueName('native-producer-out')];
    await createTopics({ topic: input, partitions: 2 }, { topic: output, partitions: 2 });
    const S = Serdes.String();
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
      .mapValues((v) => v.toUpperCase())
      .to(output, Produced.with(S, S));
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-native-producer-'));
    dirs.push(stateDir);
    const lines: string[] = [];
    const logger: Logger = {
      debug: (m) => lines.push(m),
      info: (m) => lines.push(m),
      warn: (m) => lines.push(m),
      error: (m) => lines.push(m),
    };
    const streams = new KafkaStreams(b.build(), {
      applicationId: uniqueName('native-producer-app'),
      bootstrapServers: bootstrapServers(),
      stateDir,
      logger,
      nativeClient: 'required',
    });
    await streams.start();
    try {
      await produce(
        input,
        Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 13}`, value: `v${i}` })),
      );
      await eventually(async () => (await readToEnd(bootstrapServers(), output)).length >= 200, 60_000, '200 outputs');
      const read = await readToEnd(bootstrapServers(), output);
      expect(read.map((m) => m.value!.toString()).sort()).toEqual(
        Array.from({ length: 200 }, (_, i) => `V${i}`).sort(),
      );
      expect(lines).toContain('producing through the native batch producer');
    } finally {
      await streams.close();
    }
  });
});
