// The per-instance observability server (`server` in the config) on the real broker: Prometheus text at /metrics
// with the right numbers, health that follows the lifecycle, /api/status with tasks, offsets and lag, and
// /api/control that pauses and resumes only with the token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@kaskade/processor-api';
import { KafkaStreams, ObservabilityServerError, QueryableStoreTypes, Serdes } from '@kaskade/core';
import { KafkaAdmin } from '@kaskade/core/internal';
import type { InstanceStatusJson } from '@kaskade/core';
import { Consumed, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce } from './kafka-helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function countApp(input: string, output: string, config: { [k: string]: unknown }): KafkaStreams {
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    // One output per update: the produced-records metrics are checked right after processing, not after a cache flush.
    .count(Materialized.as<string, number>('counts').withCachingDisabled())
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Int64()));
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-obs-'));
  dirs.push(stateDir);
  return new KafkaStreams(builder.build(), {
    applicationId: uniqueName('obs-app'),
    bootstrapServers: bootstrapServers(),
    stateDir,
    commitIntervalMs: 200,
    logger: quiet,
    ...config,
  });
}

/** Value of one sample in Prometheus text, summed over series whose labels include `labels`. */
function sample(text: string, name: string, labels: { [k: string]: string } = {}): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      found = true;
      sum += Number(m[3]);
    }
  }
  return found ? sum : undefined;
}

async function endTotal(topic: string, partitions: number): Promise<number> {
  const admin = KafkaAdmin.create(bootstrapServers());
  try {
    const ends = await admin.listOffsets(
      Array.from({ length: partitions }, (_, partition) => ({ topic, partition })),
      'latest',
    );
    return ends.reduce((s, e) => s + e.offset, 0);
  } finally {
    admin.close();
  }
}

describe('observability server', () => {
  it('should serve metrics, health, status and token-guarded control of a running instance', async () => {
    const [input, output] = [uniqueName('obs-in'), uniqueName('obs-out')];
    await createTopics({ topic: input, partitions: 2 }, { topic: output, partitions: 2 });
    const streams = countApp(input, output, {
      server: { port: 0, token: 's3cret' },
      metrics: { statisticsIntervalMs: 500 },
    });
    expect(await (await fetch('http://127.0.0.1:1/health/live').catch(() => ({ status: 0 }))).status).toBe(0);
    await streams.start();
    const url = streams.serverUrl()!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    try {
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const records = Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 30}`, value: `v${i}`, partition: i % 2 }));
      await produce(input, records);
      await eventually(async () => streams.metrics().processed === 300, 60_000, '300 processed');
      await eventually(async () => (await fetch(`${url}/health/ready`)).status === 200, 30_000, 'ready');

      // Lag comes from librdkafka's statistics (every 500 ms here): it reaches 0 once all is processed.
      let text = '';
      await eventually(
        async () => {
          text = await (await fetch(`${url}/metrics`)).text();
          const lag0 = sample(text, 'kaskade_consumer_lag_records', { topic: input, partition: '0' });
          const lag1 = sample(text, 'kaskade_consumer_lag_records', { topic: input, partition: '1' });
          // The client's statistics (every 500 ms) may come a little after the lag (also from the broker's ends).
          const rx = sample(text, 'kaskade_client_rx_messages_total', { client: 'consumer' }) ?? 0;
          return lag0 === 0 && lag1 === 0 && rx >= 300;
        },
        30_000,
        'lag 0 on both partitions and the consumer statistics',
      );
      expect(sample(text, 'kaskade_records_processed_total')).toBe(300);
      expect(sample(text, 'kaskade_task_records_processed_total', { task: '0_0' })).toBe(150);
      expect(sample(text, 'kaskade_task_records_processed_total', { task: '0_1' })).toBe(150);
      expect(sample(text, 'kaskade_records_produced_total')).toBeGreaterThan(0);
      // Sinks' records (not changelog records) are what reached the output topic.
      const produced = sample(text, 'kaskade_task_records_produced_total')!;
      expect(produced).toBeGreaterThan(0);
      // Handed to the producer; delivered a moment later.
      await eventually(async () => (await endTotal(output, 2)) === produced, 30_000, `${produced} outputs`);
      expect(sample(text, 'kaskade_state', { state: 'RUNNING' })).toBe(1);
      expect(sample(text, 'kaskade_state', { state: 'REBALANCING' })).toBe(0);
      expect(sample(text, 'kaskade_active_tasks')).toBe(2);
      expect(sample(text, 'kaskade_rebalances_total')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'kaskade_store_entries', { store: 'counts' })).toBe(30);
      expect(sample(text, 'kaskade_commit_latency_seconds_count')).toBeGreaterThan(0);
      expect(sample(text, 'kaskade_record_e2e_latency_seconds_count', { topic: input })).toBeGreaterThan(0);
      expect(sample(text, 'kaskade_process_seconds_total')).toBeGreaterThan(0);

      const status = (await (await fetch(`${url}/api/status`)).json()) as InstanceStatusJson;
      expect(status.state).toBe('RUNNING');
      expect(status.paused).toBe(false);
      expect(status.ready).toBe(true);
      expect(status.tasks.map((t) => t.id).sort()).toEqual(['0_0', '0_1']);
      const p0 = status.tasks.find((t) => t.id === '0_0')!.partitions[0]!;
      expect(p0).toMatchObject({ topic: input, partition: 0, position: 150, endOffset: 150, lag: 0 });
      expect(status.tasks.flatMap((t) => t.stores.map((s) => s.entries ?? 0)).reduce((a, b) => a + b)).toBe(30);
      expect(status.topology.nodes.map((n) => n.name)).toContain('KSTREAM-SOURCE-0000000000');
      expect(status.topology.description).toContain('Sub-topology: 0');

      // Control: refused without or with a wrong token; a rewind with bad input is refused, naming the field.
      const control = (action: string, token?: string, more: { [k: string]: unknown } = {}) =>
        fetch(`${url}/api/control`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ action, ...more }),
        });
      expect((await control('pause')).status).toBe(401);
      expect((await control('pause', 'wrong')).status).toBe(401);
      expect(streams.isPaused()).toBe(false);
      const refused = async (more: { [k: string]: unknown }, pattern: RegExp) => {
        const res = await control('rewind', 's3cret', more);
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: string }).error).toMatch(pattern);
      };
      await refused({ state: 'wipe' }, /'state' must be 'keep' or 'rebuild'/);
      await refused({ toDatetime: 'yesterday' }, /'yesterday' is not an ISO-8601 date-time/);
      await refused({ toEarliest: true, byDuration: 'PT1H' }, /give one rewind target/);
      await refused({ toOfset: [] }, /unknown field\(s\) toOfset/);
      await refused({ toOffsets: [{ topic: input, partition: 'x', offset: 0 }] }, /'toOffsets' must be an array/);
      expect((await control('explode', 's3cret')).status).toBe(400);

      expect((await control('pause', 's3cret')).status).toBe(200);
      expect(streams.isPaused()).toBe(true);
      const before = await endTotal(output, 2);
      await produce(input, records);
      await new Promise((r) => setTimeout(r, 2000));
      expect(await endTotal(output, 2)).toBe(before);
      text = await (await fetch(`${url}/metrics`)).text();
      expect(sample(text, 'kaskade_paused')).toBe(1);
      // Paused partitions are not fetched: their lag still shows the records waiting (ends asked of the broker).
      await eventually(
        async () => sample(await (await fetch(`${url}/metrics`)).text(), 'kaskade_consumer_lag_records') === 300,
        30_000,
        'lag 300 while paused',
      );
      expect(sample(text, 'kaskade_records_processed_total')).toBe(300);

      expect((await control('resume', 's3cret')).status).toBe(200);
      await eventually(async () => streams.metrics().processed === 600, 60_000, '600 processed');

      // A stateful rewind through the server, as `kaskade rewind --to-earliest --state rebuild` does: every record
      // is processed again and the counts are those of the input, not doubled.
      const rewind = await control('rewind', 's3cret', { toEarliest: true, state: 'rebuild' });
      expect(rewind.status).toBe(200);
      const answer = (await rewind.json()) as { scope: string; command: { state: string; target: { kind: string } } };
      expect(answer).toMatchObject({
        scope: 'application',
        command: { state: 'rebuild', target: { kind: 'earliest' } },
      });
      await eventually(async () => streams.metrics().processed === 1200, 60_000, '1200 processed');
      const counts = streams.store('counts', QueryableStoreTypes.keyValueStore<string, number>());
      const all = [...counts.all()];
      expect(all).toHaveLength(30);
      expect(all.every((kv) => kv.value === 20)).toBe(true);
    } finally {
      await streams.close();
    }
    // The server stops with the instance.
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });

  it('should refuse control without a configured token and register in the application registry', async () => {
    const [input, output] = [uniqueName('obs-in'), uniqueName('obs-out')];
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const registry = new Registry();
    const streams = countApp(input, output, { server: { port: 0 }, metrics: { registry } });
    await streams.start();
    try {
      const res = await fetch(`${streams.serverUrl()}/api/control`, { method: 'POST', body: '{"action":"pause"}' });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toContain('server.token');
      expect(streams.metricsRegistry).toBe(registry);
      await produce(input, [{ key: 'a', value: '1' }]);
      await eventually(async () => streams.metrics().processed === 1, 60_000, 'one processed');
      const text = await registry.metrics();
      expect(sample(text, 'kaskade_records_processed_total')).toBe(1);
    } finally {
      await streams.close();
    }
  });

  it('should fail start() with an ObservabilityServerError naming the port when it is taken', async () => {
    const [input, output] = [uniqueName('obs-in'), uniqueName('obs-out')];
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const first = countApp(input, output, { server: { port: 0 } });
    await first.start();
    try {
      const port = Number(new URL(first.serverUrl()!).port);
      const second = countApp(input, output, { server: { port } });
      const error = await second.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObservabilityServerError);
      expect((error as ObservabilityServerError).message).toContain(String(port));
      expect(second.state).toBe('CREATED');
    } finally {
      await first.close();
    }
  });

  it('should reject a bad server or metrics configuration naming the field', () => {
    expect(() => countApp('a', 'b', { server: { port: 70000 } })).toThrow(ConfigError);
    expect(() => countApp('a', 'b', { server: { port: 1, hots: 'x' } })).toThrow(/server\.hots: unknown field/);
    expect(() => countApp('a', 'b', { metrics: { registry: {} } })).toThrow(/metrics\.registry.*prom-client Registry/s);
  });
});
