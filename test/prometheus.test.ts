// A real Prometheus server (Debian's `prometheus`, installed by scripts/setup.sh) scrapes the observability server of
// a running instance on loopback; its query API must return Kaskade's series with the right values.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes } from '@kaskade/core';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce } from './kafka-helpers.js';

const PROMETHEUS = '/usr/bin/prometheus';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts Prometheus on loopback with a config scraping `target` every second; resolves once it is ready. */
async function startPrometheus(target: string, dir: string): Promise<{ url: string; proc: ChildProcess }> {
  if (!existsSync(PROMETHEUS)) {
    throw new Error(`${PROMETHEUS} not found: run scripts/setup.sh (it installs Debian's prometheus package)`);
  }
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: kaskade',
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  let log = '';
  const proc = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}: ${log}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200;
    },
    60_000,
    'prometheus ready',
  );
  return { url, proc };
}

interface VectorResult {
  readonly metric: { readonly [label: string]: string };
  readonly value: [number, string];
}

async function query(prometheus: string, promql: string): Promise<VectorResult[]> {
  const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { resultType: string; result: VectorResult[] } };
  expect(body.status).toBe('success');
  return body.data.result;
}

describe('Prometheus scraping an instance', () => {
  it('should return kaskade_ series with processed equal to the records sent and lag falling to 0', async () => {
    const [input, output, appId] = [uniqueName('prom-in'), uniqueName('prom-out'), uniqueName('prom-app')];
    await createTopics({ topic: input, partitions: 3 }, { topic: output, partitions: 3 });
    const builder = new StreamsBuilder();
    builder
      .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
      .filter((_k, v) => !v.endsWith('7'))
      .to(output, Produced.with(Serdes.String(), Serdes.String()));
    const dir = mkdtempSync(join(tmpdir(), 'kaskade-prom-'));
    dirs.push(dir);
    const streams = new KafkaStreams(builder.build(), {
      applicationId: appId,
      bootstrapServers: bootstrapServers(),
      stateDir: join(dir, 'state'),
      commitIntervalMs: 200,
      logger: quiet,
      server: { port: 0 },
      metrics: { statisticsIntervalMs: 500 },
    });
    // Input first, and the instance paused: Prometheus sees the whole input as lag, then it falls to 0 on resume.
    const sent = 3000;
    await produce(
      input,
      Array.from({ length: sent }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 3 })),
    );
    streams.pause();
    await streams.start();
    let prometheus: ChildProcess | undefined;
    try {
      const target = new URL(streams.serverUrl()!).host;
      const started = await startPrometheus(target, dir);
      prometheus = started.proc;
      const prom = started.url;

      const app = `application_id="${appId}"`;

      await eventually(
        async () => {
          const r = await query(prom, `sum(kaskade_consumer_lag_records{${app}})`);
          return r.length === 1 && Number(r[0]!.value[1]) === sent;
        },
        60_000,
        `Prometheus to report a lag of ${sent} while paused`,
      );
      const paused = await query(prom, `kaskade_records_processed_total{${app}}`);
      expect(Number(paused[0]!.value[1])).toBe(0);
      expect(Number((await query(prom, `kaskade_paused{${app}}`))[0]!.value[1])).toBe(1);
      streams.resume();

      await eventually(
        async () => {
          const r = await query(prom, `sum(kaskade_records_processed_total{${app}})`);
          return r.length === 1 && Number(r[0]!.value[1]) === sent;
        },
        60_000,
        `Prometheus to report ${sent} records processed`,
      );
      await eventually(
        async () => {
          const r = await query(prom, `kaskade_consumer_lag_records{${app}}`);
          return r.length === 3 && r.every((s) => Number(s.value[1]) === 0);
        },
        60_000,
        'Prometheus to report lag 0 on all three partitions',
      );

      // Per task and per partition, as Kafka Streams' task-level and consumer metrics.
      const perTask = await query(prom, `kaskade_task_records_processed_total{${app}}`);
      expect(perTask.map((s) => [s.metric.task, Number(s.value[1])]).sort()).toEqual([
        ['0_0', 1000],
        ['0_1', 1000],
        ['0_2', 1000],
      ]);
      const lag = await query(prom, `kaskade_consumer_lag_records{${app}}`);
      expect(lag.map((s) => `${s.metric.topic}-${s.metric.partition}`).sort()).toEqual(
        [0, 1, 2].map((p) => `${input}-${p}`),
      );
      // The filter drops the 300 values ending in 7: produced = records that reached the output topic.
      const produced = await query(prom, `sum(kaskade_task_records_produced_total{${app}})`);
      expect(Number(produced[0]!.value[1])).toBe(sent - sent / 10);
      const running = await query(prom, `kaskade_state{${app},state="RUNNING"}`);
      expect(Number(running[0]!.value[1])).toBe(1);
      const tasks = await query(prom, `kaskade_active_tasks{${app}}`);
      expect(Number(tasks[0]!.value[1])).toBe(3);
      // Both ends of the lag's history are in Prometheus: the whole input while paused, 0 now.
      const maxLag = await query(prom, `max_over_time(kaskade_consumer_lag_records{${app}}[5m])`);
      expect(maxLag.map((r) => Number(r.value[1]))).toEqual([1000, 1000, 1000]);
      const up = await query(prom, `up{job="kaskade"}`);
      expect(Number(up[0]!.value[1])).toBe(1);
    } finally {
      prometheus?.kill('SIGTERM');
      await streams.close();
    }
  });
});
