// Measures what metrics + the observability server cost on the hot path: the same source→sink rung (preloaded
// input drained from earliest, as bench/ does) with and without `metrics`/`server`, interleaved over rounds, while a
// scraper reads /metrics every second (as Prometheus would). Prints records/s and CPU per record of each run and
// the median ratio on/off. Usage:
//   node --conditions=kaskade-source --import tsx scripts/observability-overhead.ts [records=300000] [rounds=5]
// Uses KASKADE_BOOTSTRAP_SERVERS when set, else starts a broker of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, Serdes, Topology } from '@kaskade/core';
import { KafkaAdmin, KafkaProducerClient } from '@kaskade/core/internal';

const records = Number(process.argv[2] ?? 300_000);
const rounds = Number(process.argv[3] ?? 5);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let broker: { bootstrapServers: string; stop(): Promise<void> } | undefined;
let servers = process.env['KASKADE_BOOTSTRAP_SERVERS'];
if (!servers) {
  const { startKafka } = await import('@kaskade/testing');
  broker = await startKafka({ brokers: 1 });
  servers = broker.bootstrapServers;
}
const run = `${Date.now().toString(36)}`;
const input = `obs-overhead-in-${run}`;
const output = `obs-overhead-out-${run}`;
const admin = KafkaAdmin.create(servers);
await admin.createTopics([
  { topic: input, partitions: 1, replicationFactor: 1 },
  { topic: output, partitions: 1, replicationFactor: 1 },
]);
admin.close();

// 4-byte big-endian integer keys over 10 000 keys, 100-byte random values (bench/'s data).
const producer = new KafkaProducerClient({ bootstrapServers: servers, config: { 'linger.ms': 20 } });
await producer.connect();
const value = Buffer.alloc(100, 7);
for (let i = 0; i < records; i++) {
  const key = Buffer.alloc(4);
  key.writeInt32BE(i % 10_000);
  while (!producer.produce(input, 0, value, key, Date.now())) await producer.flush();
}
await producer.flush();
await producer.disconnect();

async function once(observed: boolean, round: number): Promise<{ rate: number; cpuUsPerRecord: number }> {
  const topology = new Topology()
    .addSource('source', input, { keySerde: Serdes.Bytes(), valueSerde: Serdes.Bytes() })
    .addSink('sink', output, { keySerde: Serdes.Bytes(), valueSerde: Serdes.Bytes() }, 'source');
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-obs-overhead-'));
  const streams = new KafkaStreams(topology, {
    applicationId: `obs-overhead-${run}-${round}-${observed ? 'on' : 'off'}`,
    bootstrapServers: servers!,
    stateDir,
    logger: quiet,
    ...(observed ? { server: { port: 0 }, metrics: {} } : {}),
  });
  await streams.start();
  const scraper = observed
    ? setInterval(() => void fetch(`${streams.serverUrl()}/metrics`).then((r) => r.text()), 1000)
    : undefined;
  // Steady state only: from the first processed record (group joined, partition assigned) to the last.
  while (streams.metrics().processed === 0) await new Promise((r) => setTimeout(r, 5));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const first = streams.metrics().processed;
  while (streams.metrics().processed < records) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const measured = records - first;
  clearInterval(scraper);
  await streams.close();
  rmSync(stateDir, { recursive: true, force: true });
  return { rate: measured / seconds, cpuUsPerRecord: (cpu.user + cpu.system) / measured };
}

const ratios: number[] = [];
const cpuRatios: number[] = [];
for (let r = 0; r < rounds; r++) {
  // Alternate which goes first, so warm-up and drift do not favour one side.
  const order = r % 2 === 0 ? [false, true] : [true, false];
  const result = new Map<boolean, { rate: number; cpuUsPerRecord: number }>();
  for (const observed of order) result.set(observed, await once(observed, r));
  const off = result.get(false)!;
  const on = result.get(true)!;
  ratios.push(on.rate / off.rate);
  cpuRatios.push(off.cpuUsPerRecord / on.cpuUsPerRecord);
  console.log(
    `round ${r + 1}: off ${Math.round(off.rate)} rec/s (${off.cpuUsPerRecord.toFixed(2)} µs CPU/rec), ` +
      `on ${Math.round(on.rate)} rec/s (${on.cpuUsPerRecord.toFixed(2)} µs CPU/rec), ratio ${(on.rate / off.rate).toFixed(3)}`,
  );
}
for (const [what, list] of [
  ['throughput on/off', ratios],
  ['CPU per record off/on', cpuRatios],
] as const) {
  list.sort((a, b) => a - b);
  console.log(
    `median ${what}: ${list[Math.floor(list.length / 2)]!.toFixed(3)} (min ${list[0]!.toFixed(3)}, max ${list.at(-1)!.toFixed(3)}) over ${rounds} rounds of ${records} records`,
  );
}
await broker?.stop();
