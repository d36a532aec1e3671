// Peak and settled RSS of a DSL count over N distinct keys (default 1 000 000): every key is new, so the count's
// store, its record cache and its write buffer see N keys between two commits of the default 30 s interval. The
// count runs in a child process of its own (its RSS is the count's alone); the parent preloads the topic. Usage:
//
//   npm run bench:distinct-keys -- [--records N] [--no-cache] [--unbounded] [--settle-seconds S]
//
// Uses the broker in KASKADE_BOOTSTRAP_SERVERS, or starts one.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KafkaStreams, Serdes, silentLogger } from '@kaskade/core';
import { KafkaAdmin, KafkaProducerClient } from '@kaskade/core/internal';
import { Consumed, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';

const PARTITIONS = 3;

function rssMb(field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function worker(servers: string, input: string, output: string, records: number, cache: boolean) {
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-distinct-'));
  const store = Materialized.with<number, number>(Serdes.Int32(), Serdes.Int64());
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(Serdes.Int32(), Serdes.Bytes()))
    .groupByKey()
    .count(cache ? store : store.withCachingDisabled())
    .toStream()
    .to(output, Produced.with(Serdes.Int32(), Serdes.Int64()));
  const streams = new KafkaStreams(builder.build(), {
    applicationId: `distinct-${Date.now()}`,
    bootstrapServers: servers,
    stateDir,
    logger: silentLogger,
    // --unbounded: as before the bound existed (store writes wait for the commit interval, however many).
    ...(process.env['UNBOUNDED'] === '1' ? { stateStoreUncommittedMaxBytes: Number.MAX_SAFE_INTEGER } : {}),
    // Any other settings to try, as JSON (e.g. '{"stateStoreUncommittedMaxBytes":16777216}').
    ...(JSON.parse(process.env['DISTINCT_STREAMS_CONFIG'] ?? '{}') as object),
  });
  const started = Date.now();
  await streams.start();
  while (streams.metrics().processed < records) await new Promise((r) => setTimeout(r, 50));
  const seconds = (Date.now() - started) / 1000;
  const peak = rssMb('VmHWM');
  // After the burst: the next commits write the buffers out; what is left once idle is what the process keeps.
  const settle = Number(process.env['SETTLE_SECONDS'] ?? '40');
  await new Promise((r) => setTimeout(r, settle * 1000));
  const settled = rssMb('VmRSS');
  await streams.close();
  rmSync(stateDir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      records,
      cache,
      unbounded: process.env['UNBOUNDED'] === '1',
      seconds,
      peakRssMb: Math.round(peak),
      settledRssMb: Math.round(settled),
    }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '1000000' },
      'no-cache': { type: 'boolean', default: false },
      unbounded: { type: 'boolean', default: false },
      'settle-seconds': { type: 'string', default: '40' },
      worker: { type: 'string' },
    },
  });
  const records = Number(values.records);
  if (values.worker !== undefined) {
    const [servers, input, output] = values.worker.split('|') as [string, string, string];
    await worker(servers, input, output, records, !values['no-cache']);
    return;
  }
  let servers = process.env['KASKADE_BOOTSTRAP_SERVERS'];
  let stop: (() => Promise<void>) | undefined;
  if (!servers) {
    const { startKafka } = await import('@kaskade/testing');
    const broker = await startKafka({ brokers: 1 });
    servers = broker.bootstrapServers;
    stop = () => broker.stop();
  }
  try {
    const suffix = Date.now().toString(36);
    const [input, output] = [`distinct-in-${suffix}`, `distinct-out-${suffix}`];
    const admin = KafkaAdmin.create(servers);
    await admin.createTopics(
      [input, output].map((topic) => ({ topic, partitions: PARTITIONS, replicationFactor: -1 })),
    );
    admin.close();
    const producer = new KafkaProducerClient({ bootstrapServers: servers, config: { 'linger.ms': 50 } });
    await producer.connect();
    const value = Buffer.alloc(100, 1);
    for (let i = 0; i < records; i++) {
      const key = Buffer.allocUnsafe(4);
      key.writeInt32BE(i);
      while (!producer.produce(input, i % PARTITIONS, value, key, Date.now())) await producer.flush();
    }
    await producer.flush();
    await producer.disconnect();
    console.error(`[distinct] preloaded ${records} records with distinct keys into ${input}`);
    const args = [
      '--conditions=kaskade-source',
      '--import',
      'tsx',
      process.argv[1]!,
      '--records',
      String(records),
      '--worker',
      `${servers}|${input}|${output}`,
      ...(values['no-cache'] ? ['--no-cache'] : []),
    ];
    const child = spawn(process.execPath, args, {
      stdio: 'inherit',
      env: { ...process.env, SETTLE_SECONDS: values['settle-seconds'], UNBOUNDED: values.unbounded ? '1' : '0' },
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    if (code !== 0) throw new Error(`the worker exited with ${code}`);
  } finally {
    await stop?.();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
