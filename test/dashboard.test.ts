/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The dashboard of a three-replica application in headless Chromium (Debian's `chromium`, installed by
// scripts/setup.sh, driven by puppeteer-core): every processor of the topology, every task across the three
// instances, non-zero throughput; "Pause all" stops the output on the broker — also of a replica that is nobody's peer
// (through the control topic); "Rewind" writes the command. The screenshot is saved under .cache/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, describeApplication } from '@kaskade/core';
import { KafkaAdmin, KafkaProducerClient } from '@kaskade/core/internal';
import { Consumed, Grouped, Materialized, Named, Produced, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually } from './kafka-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), '.cache', 'artifacts');
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

/** Writes ~`perTick` records every 100 ms until stopped, so that the application always has work. */
function steadyInput(topic: string, perTick: number) {
  const producer = new KafkaProducerClient({ bootstrapServers: bootstrapServers(), config: { 'linger.ms': 5 } });
  let timer: NodeJS.Timeout | undefined;
  let n = 0;
  return {
    async start() {
      await producer.connect();
      timer = setInterval(() => {
        for (let i = 0; i < perTick; i++, n++) {
          producer.produce(topic, -1, Buffer.from(`word${n % 97} other${n % 13}`), Buffer.from(`k${n}`), Date.now());
        }
      }, 100);
    },
    async stop() {
      clearInterval(timer);
      await producer.flush().catch(() => undefined);
      await producer.disconnect();
    },
  };
}

describe('dashboard in a real browser', () => {
  it('should show the topology, all tasks of three replicas and throughput, and pause them all', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/setup.sh (Debian's chromium)`);
    const [input, output, counts, appId] = [
      uniqueName('dash-in'),
      uniqueName('dash-out'),
      uniqueName('dash-counts'),
      uniqueName('dash-app'),
    ];
    await createTopics(
      { topic: input, partitions: 6 },
      { topic: output, partitions: 6 },
      { topic: counts, partitions: 6 },
    );
    const builder = new StreamsBuilder();
    const words = builder
      .stream(input, Consumed.with(Serdes.String(), Serdes.String()).withName('lines'))
      .filter((_k, v) => v.length > 0, Named.as('non-empty'))
      .flatMapValues((v) => v.split(' '), Named.as('split-words'));
    words
      .mapValues((w) => w.toUpperCase(), Named.as('shout'))
      .to(output, Produced.with(Serdes.String(), Serdes.String()).withName('shouted'));
    words
      .groupBy((_k, w) => w, Grouped.with(Serdes.String(), Serdes.String()).withName('by-word'))
      .count(Materialized.as('word-counts'))
      .toStream(Named.as('count-changes'))
      .to(counts, Produced.with(Serdes.String(), Serdes.Int64()).withName('counts-out'));
    const topology = builder.build();
    const processorNames = [...topology.nodes().keys()];

    const ports = [await freePort(), await freePort(), await freePort()];
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const token = 'dashboard-token';
    const replicas = ports.map((port, i) => {
      const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-dash-'));
      dirs.push(stateDir);
      return new KafkaStreams(topology, {
        applicationId: appId,
        bootstrapServers: bootstrapServers(),
        instanceId: `replica-${i}`,
        stateDir,
        commitIntervalMs: 200,
        logger: quiet,
        metrics: { statisticsIntervalMs: 1000 },
        server: { port, token, peers: urls.filter((_, j) => j !== i) },
      });
    });
    const input$ = steadyInput(input, 30);
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    try {
      await Promise.all(replicas.map((r) => r.start()));
      await eventually(
        () => replicas.every((r) => r.state === 'RUNNING') && replicas.every((r) => r.metrics().activeTasks.length > 0),
        90_000,
        'three replicas RUNNING with tasks',
      );
      await input$.start();
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 1100 });
      await page.goto(urls[0]!, { waitUntil: 'load' });

      // Every processor name of the topology, drawn from describe() and laid out by dagre.
      await page.waitForFunction(
        (names: string[]) => {
          const drawn = [...document.querySelectorAll('#topology g.node')].map((g) => g.getAttribute('data-name'));
          return names.every((n) => drawn.includes(n));
        },
        { timeout: 30_000 },
        processorNames,
      );
      // All tasks (two sub-topologies x six partitions) across the three instances.
      const allTasks = [0, 1].flatMap((s) => [0, 1, 2, 3, 4, 5].map((p) => `${s}_${p}`)).sort();
      await page.waitForFunction(
        (expected: string[]) => {
          const shown = [...document.querySelectorAll('#instances tr.task')].map((r) => r.getAttribute('data-task'));
          const instances = document.querySelectorAll('#instances .instance[data-instance]').length;
          return instances === 3 && expected.every((t) => shown.includes(t));
        },
        { timeout: 60_000 },
        allTasks,
      );
      const owners = await page.$$eval('#instances .instance[data-instance]', (els) =>
        els.map((e) => ({
          id: e.getAttribute('data-instance'),
          tasks: [...e.querySelectorAll('tr.task')].map((r) => r.getAttribute('data-task')),
        })),
      );
      expect(owners.map((o) => o.id).sort()).toEqual(['replica-0', 'replica-1', 'replica-2']);
      expect([...new Set(owners.flatMap((o) => o.tasks))].sort()).toEqual(allTasks);
      expect(owners.every((o) => o.tasks.length > 0)).toBe(true);
      // Non-zero throughput, and both charts drawn by uPlot.
      await page.waitForFunction(() => Number(document.getElementById('throughput-total')!.textContent) > 0, {
        timeout: 30_000,
      });
      expect(await page.$$eval('.uplot', (els) => els.length)).toBe(2);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') as `${string}.png`, fullPage: true });

      // A fourth replica that no server lists as a peer (and that has no server): "Pause all" reaches it too, through
      // the application's control topic.
      const hiddenDir = mkdtempSync(join(tmpdir(), 'kaskade-dash-'));
      dirs.push(hiddenDir);
      const hidden = new KafkaStreams(topology, {
        applicationId: appId,
        bootstrapServers: bootstrapServers(),
        instanceId: 'replica-hidden',
        stateDir: hiddenDir,
        commitIntervalMs: 200,
        logger: quiet,
      });
      replicas.push(hidden);
      await hidden.start();
      await eventually(
        () => replicas.every((r) => r.state === 'RUNNING') && hidden.metrics().activeTasks.length > 0,
        90_000,
        'the hidden replica RUNNING with tasks',
      );

      // Pause all replicas from the browser; the broker sees no more output while input keeps coming.
      await page.type('#token', token);
      await page.click('#pause-all');
      await page.waitForFunction(() => document.getElementById('control-result')!.dataset.status === '200', {
        timeout: 10_000,
      });
      // The replicas apply the control topic within a poll interval (250 ms) and a batch.
      await eventually(() => replicas.every((r) => r.isPaused()), 5_000, 'every replica paused');
      expect(replicas.map((r) => r.isPaused())).toEqual([true, true, true, true]);
      await new Promise((r) => setTimeout(r, 1000)); // output of the batch in flight when pause arrived
      const frozen = await endTotal(output, 6);
      const inputBefore = await endTotal(input, 6);
      await new Promise((r) => setTimeout(r, 3000));
      expect(await endTotal(input, 6)).toBeGreaterThan(inputBefore);
      expect(await endTotal(output, 6)).toBe(frozen);
      await page.waitForFunction(() => document.querySelectorAll('#instances b.paused').length === 3, {
        timeout: 10_000,
      });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-paused.png') as `${string}.png`, fullPage: true });

      await page.click('#resume-all');
      await eventually(async () => (await endTotal(output, 6)) > frozen, 30_000, 'output after resume');
      await eventually(() => replicas.every((r) => !r.isPaused()), 5_000, 'every replica resumed');

      // Rewind from the browser: the command reaches the control topic, with the state chosen in the page.
      await page.select('#rewind-state', 'keep');
      await page.click('#rewind-all');
      await page.waitForFunction(() => document.getElementById('control-result')!.dataset.status === '200', {
        timeout: 10_000,
      });
      const status = await describeApplication({ applicationId: appId, bootstrapServers: bootstrapServers() });
      expect(status.rewind).toMatchObject({ state: 'keep', target: { kind: 'earliest' } });
      expect(status.rewind?.by).toContain('/api/control');
    } finally {
      await browser.close();
      await input$.stop();
      await Promise.all(replicas.map((r) => r.close()));
    }
  });
});
