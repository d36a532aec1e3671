// Exactly-once under injected faults: retriable, abortable and timed-out commits, and a real fencing by a second
// producer with the same transactional id. Each ends with exact results for read_committed readers and the stores.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, QueryableStoreTypes, Serdes, consoleLogger, silentLogger } from '@kaskade/core';
import type { ProducerFactory } from '@kaskade/core';
import { KafkaProducerClient, NativeProducerClient } from '@kaskade/core/internal';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { FaultyProducer } from './eos/faulty-producer.js';
import type { FaultPlan } from './eos/faulty-producer.js';
import { COUNTS_STORE, countingTopology } from './fixtures/counting-topology.js';
import { createTopics, eventually, produce, readTopic, str } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const KEYS = 50;
const N = 6000;

async function runCounting(
  producerFactory: ProducerFactory,
  during?: (streams: KafkaStreams, ids: { appId: string; transactionalId: string }) => Promise<void>,
) {
  const input = uniqueName('eosf-in');
  const output = uniqueName('eosf-out');
  const appId = uniqueName('eosf-app');
  await createTopics({ topic: input, partitions: 2 }, { topic: output, partitions: 2 });
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-eosf-'));
  dirs.push(stateDir);
  const streams = new KafkaStreams(
    countingTopology(input, output),
    {
      applicationId: appId,
      bootstrapServers: bootstrapServers(),
      stateDir,
      instanceId: 'only',
      processingGuarantee: 'exactly_once_v2',
      logger: process.env['EOSF_DEBUG'] ? consoleLogger({ level: 'debug' }) : silentLogger,
    },
    { producerFactory },
  );
  await streams.start();
  // Input arrives in slices, so there are many transactions for the faults to hit — once the instance has its tasks:
  // slices produced before the assignment would all be processed in a transaction or two.
  await eventually(
    () => streams.state === 'RUNNING' && streams.metrics().activeTasks.length === 2,
    60_000,
    'the instance running with both tasks',
  );
  for (let slice = 0; slice < 6; slice++) {
    await produce(
      input,
      (function* () {
        for (let i = (slice * N) / 6; i < ((slice + 1) * N) / 6; i++)
          yield { key: `key-${i % KEYS}`, value: String(i) };
      })(),
    );
    if (slice === 2) await during?.(streams, { appId, transactionalId: `${appId}-only` });
    await new Promise((r) => setTimeout(r, 400));
  }
  await eventually(() => streams.metrics().processed >= N && streams.state === 'RUNNING', 120_000, 'processing');
  // Every count of every key, in order, exactly once: 1, 2, ..., N / KEYS.
  const out = await readTopic(output, (all) => all.length >= N, { isolation: 'read_committed', timeoutMs: 120_000 });
  const extra = await readTopic(output, (all) => all.length > N, { isolation: 'read_committed', timeoutMs: 3000 });
  const byKey = new Map<string, number[]>();
  const I = Serdes.Int64();
  for (const m of out) {
    const k = str(m.key as Buffer)!;
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    list.push(I.deserialize(output, m.value!));
  }
  const store = streams.store(COUNTS_STORE, QueryableStoreTypes.keyValueStore<string, number>());
  const stored = new Map<string, number>();
  for (const kv of store.all()) stored.set(kv.key, kv.value);
  const metrics = streams.metrics();
  await streams.close();
  return { out, extra, byKey, stored, metrics };
}

function expectExact(result: Awaited<ReturnType<typeof runCounting>>) {
  expect(result.out).toHaveLength(N);
  expect(result.extra).toHaveLength(N);
  const want = [...Array(N / KEYS).keys()].map((i) => i + 1);
  for (let k = 0; k < KEYS; k++) expect(result.byKey.get(`key-${k}`), `key-${k}`).toEqual(want);
  expect(result.stored).toEqual(new Map([...Array(KEYS).keys()].map((k) => [`key-${k}`, N / KEYS])));
}

describe('exactly-once under injected faults', () => {
  for (const [fault, expectRecovery] of [
    ['retriable', false],
    ['timeout', false],
    ['abortable', true],
  ] as const) {
    it(`should end exact after ${fault} commit failures`, async () => {
      const plan: FaultPlan = { fault, times: 3, after: 1 };
      // One plan for every producer the instance creates (it replaces its producer after fencing).
      const producers: FaultyProducer[] = [];
      let injected = 0;
      const shared = { ...plan, times: 3 };
      const result = await runCounting((options, createDefault) => {
        const p = new FaultyProducer(
          createDefault(options),
          shared,
          () => injected++,
          () => injected,
        );
        producers.push(p);
        return p;
      });
      expect(injected).toBe(3);
      expectExact(result);
      if (expectRecovery) expect(result.metrics.transactionRecoveries).toBeGreaterThanOrEqual(1);
      else expect(result.metrics.transactionRecoveries).toBe(0);
    });
  }

  it('should replace a fenced producer and end exact', async () => {
    let created = 0;
    let native = 0;
    const result = await runCounting(
      (options, createDefault) => {
        created++;
        const producer = createDefault(options);
        if (producer instanceof NativeProducerClient) native++;
        return producer;
      },
      async (_streams, { transactionalId }) => {
        // A zombie-maker: a second producer with our transactional id bumps the epoch and fences ours.
        const intruder = new KafkaProducerClient({ bootstrapServers: bootstrapServers(), transactionalId });
        await intruder.connect();
        await intruder.initTransactions();
        await intruder.disconnect();
      },
    );
    expectExact(result);
    expect(created).toBeGreaterThanOrEqual(2);
    // The suite runs on the native path (the fallback step on the Kafka client's): every producer is of that path.
    expect(native).toBe(process.env['KASKADE_NATIVE_CLIENT'] === 'off' ? 0 : created);
    expect(result.metrics.transactionRecoveries).toBeGreaterThanOrEqual(1);
  });
});
