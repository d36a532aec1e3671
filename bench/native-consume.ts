// `node --conditions=kaskade-source --import tsx bench/native-consume.ts [options]`: issue #18 step 4. Consume-only
// rate of the current client (as the raw-consume rung uses it) and of the native columnar prototype
// (packages/core/native, built first with node-gyp), side by side on one broker, each variant in a process of its
// own, warm (each process drains the topic once untimed, then once timed), rounds interleaved. See native/README.md.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KafkaAdmin } from '@kaskade/core/internal';
import type { KafkaCluster } from '@kaskade/testing';
import { baseTimestamp, createTopics, endOffsetSum, preload } from './lib/data.js';
import { clockTicksPerSecond } from './lib/proc-stats.js';
import { VARIANTS } from './native/drain-args.js';
import type { DrainArgs, DrainResult, Variant } from './native/drain-args.js';

const here = dirname(fileURLToPath(import.meta.url));
const log = (message: string): void => void process.stderr.write(`[native-consume] ${message}\n`);

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '500000' },
    'value-bytes': { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '1000' },
    'native-batch': { type: 'string', default: '10000' },
    variants: { type: 'string', default: 'client,native,native-views' },
    // key=value,key=value: librdkafka consumer properties for both clients (default: the runtime's settings).
    'consumer-config': { type: 'string', default: '' },
  },
});
const records = Number(values.records);
const valueBytes = Number(values['value-bytes']);
const rounds = Number(values.rounds);
const consumerConfig = Object.fromEntries(
  values['consumer-config']
    .split(',')
    .filter((kv) => kv.length > 0)
    .map((kv) => {
      const at = kv.indexOf('=');
      if (at <= 0) throw new RangeError(`--consumer-config wants key=value pairs, not "${kv}"`);
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
);
const variants = values.variants.split(',') as Variant[];
for (const v of variants) {
  if (!VARIANTS.includes(v)) throw new RangeError(`unknown variant "${v}"`);
}

function runChild(args: DrainArgs): Promise<DrainResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=kaskade-source', '--import', 'tsx', join(here, 'native', 'drain-worker.ts'), JSON.stringify(args)],
      { cwd: dirname(here), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${args.variant} worker exited ${code}: ${err.trim().slice(-2000)}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as DrainResult);
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const range = (xs: number[], digits = 0): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

async function main(): Promise<void> {
  let broker: KafkaCluster | undefined;
  let servers = process.env['KASKADE_BOOTSTRAP_SERVERS'];
  let brokerPids: number[] = [];
  if (!servers) {
    const { startKafka } = await import('@kaskade/testing');
    broker = await startKafka({ brokers: 1 });
    servers = broker.bootstrapServers;
    brokerPids = broker.nodes.map((n) => n.pid).filter((pid): pid is number => pid !== undefined);
    log(`Apache Kafka ${broker.version} at ${servers}`);
  }
  const admin = KafkaAdmin.create(servers);
  try {
    const runId = Date.now().toString(36);
    const topic = `native-consume-${runId}`;
    log(`preloading ${records} records of ${valueBytes} B into ${topic} (3 partitions) ...`);
    await preload(admin, servers, { main: topic }, records, valueBytes, baseTimestamp(records));
    const results = new Map<Variant, DrainResult[]>(variants.map((v) => [v, []]));
    const ratios: number[] = [];
    const ratioNames: string[] = [];
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round, so that no variant always runs first after the preload.
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      const byVariant = new Map<Variant, DrainResult>();
      for (const variant of order) {
        const outputTopic = `${topic}-out-${round}-${variant}`;
        const passthrough = variant.endsWith('-passthrough');
        if (passthrough) await createTopics(admin, [outputTopic, `${outputTopic}-warmup`]);
        const result = await runChild({
          variant,
          bootstrapServers: servers,
          topic,
          outputTopic,
          groupId: `native-consume-${runId}-${round}-${variant}`,
          records,
          batch: Number(variant.startsWith('client') ? values.batch : values['native-batch']),
          brokerPids,
          consumerConfig,
          ticksPerSecond: clockTicksPerSecond(),
        });
        if (passthrough) {
          // The output must hold exactly every input record, as the bench's raw-passthrough rung checks.
          const written = await endOffsetSum(admin, outputTopic);
          if (written !== records) throw new Error(`${variant} wrote ${written} records, expected ${records}`);
        }
        results.get(variant)!.push(result);
        byVariant.set(variant, result);
        log(
          `round ${round + 1} ${variant}: ${(result.records / result.drainedSeconds).toFixed(0)} rec/s, ` +
            `${((result.cpuSeconds * 100_000) / result.records).toFixed(3)} CPU s/100k, ` +
            `${result.batches} batches, broker CPU ${result.brokerCpuSeconds?.toFixed(2) ?? '?'} s, ` +
            `machine ${result.machineBusyCores.toFixed(2)} cores busy, close ${(result.seconds - result.drainedSeconds).toFixed(2)} s; ` +
            `threads (CPU s): ${Object.entries(result.threadCpuSeconds ?? {})
              .map(([name, seconds]) => `${name} ${seconds.toFixed(2)}`)
              .join(', ')}`,
        );
      }
      for (const kind of ['', '-passthrough']) {
        const client = byVariant.get(`client${kind}` as Variant);
        const native = byVariant.get(`native${kind}` as Variant);
        if (client && native) {
          ratios.push(native.records / native.drainedSeconds / (client.records / client.drainedSeconds));
          ratioNames.push(`native${kind} ÷ client${kind}`);
        }
      }
    }
    console.log(`\n${records} records × ${valueBytes} B, ${rounds} rounds, warm; median (min–max)\n`);
    console.log(
      '| variant | rec/s (to the last record) | rec/s (incl. close) | CPU s per 100k | broker CPU s per 100k |',
    );
    console.log('|---|---|---|---|---|');
    for (const [variant, rs] of results) {
      const per100k = (s: number, r: DrainResult): number => (s * 100_000) / r.records;
      const broker = rs.filter((r) => r.brokerCpuSeconds !== null).map((r) => per100k(r.brokerCpuSeconds!, r));
      console.log(
        `| ${variant} | ${range(rs.map((r) => r.records / r.drainedSeconds))} | ${range(rs.map((r) => r.records / r.seconds))} | ` +
          `${range(
            rs.map((r) => per100k(r.cpuSeconds, r)),
            3,
          )} | ${broker.length ? range(broker, 3) : '?'} |`,
      );
    }
    for (const name of new Set(ratioNames)) {
      const rs = ratios.filter((_, i) => ratioNames[i] === name);
      console.log(`${name}, per round (rec/s to the last record): ${rs.map((r) => r.toFixed(2)).join(', ')}`);
    }
  } finally {
    admin.close();
    await broker?.stop();
  }
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
