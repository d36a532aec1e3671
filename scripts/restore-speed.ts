// Measures how fast a count store with many distinct keys is restored from its changelog (issue #17 point 4; the
// bench's `dsl-restore` rung restores 10 000 keys). Writes `keys` records with distinct 4-byte keys and 8-byte counts
// straight into the store's changelog (3 partitions), then starts the count application with an empty state
// directory `rounds` times and prints restored records/s (first onRestoreStart to last onRestoreEnd) and CPU per
// record, for each way of reading the changelog (`nativeClient` 'off': the Kafka client; 'required': Kaskade's native
// batch consumer), rounds interleaved. Usage:
//   node --conditions=kaskade-source --import tsx scripts/restore-speed.ts [keys=1000000] [rounds=3] [modes=off,required]
// Uses KASKADE_BOOTSTRAP_SERVERS when set, else starts a broker of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, Serdes } from '@kaskade/core';
import { KafkaAdmin, KafkaProducerClient, changelogTopicName } from '@kaskade/core/internal';
import { Consumed, Materialized, StreamsBuilder } from '@kaskade/dsl';

const keys = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 3);
const modes = (process.argv[4] ?? 'off,required').split(',') as ('off' | 'required' | 'auto')[];
const PARTITIONS = 3;
const STORE = 'counts';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let broker: { bootstrapServers: string; stop(): Promise<void> } | undefined;
let servers = process.env['KASKADE_BOOTSTRAP_SERVERS'];
if (!servers) {
  const { startKafka } = await import('@kaskade/testing');
  broker = await startKafka({ brokers: 1 });
  servers = broker.bootstrapServers;
}
const applicationId = `restore-speed-${Date.now().toString(36)}`;
const input = `${applicationId}-in`;
const changelog = changelogTopicName(applicationId, STORE);
const admin = KafkaAdmin.create(servers);
await admin.createTopics([
  { topic: input, partitions: PARTITIONS, replicationFactor: 1 },
  { topic: changelog, partitions: PARTITIONS, replicationFactor: 1, config: { 'cleanup.policy': 'compact' } },
]);

const producer = new KafkaProducerClient({ bootstrapServers: servers, config: { 'linger.ms': 20 } });
await producer.connect();
const t0 = Date.now();
for (let i = 0; i < keys; i++) {
  const key = Buffer.allocUnsafe(4);
  key.writeInt32BE(i);
  const value = Buffer.allocUnsafe(8);
  value.writeBigInt64BE(BigInt(i % 100));
  while (!producer.produce(changelog, i % PARTITIONS, value, key, t0)) await producer.flush();
}
await producer.flush();
await producer.disconnect();
console.log(`wrote ${keys} changelog records in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

async function once(
  nativeClient: 'off' | 'required' | 'auto',
): Promise<{ rate: number; cpuUsPerRecord: number; batches: number }> {
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(Serdes.Int32(), Serdes.Bytes()))
    .groupByKey()
    .count(Materialized.as<number, number>(STORE).withCachingDisabled());
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-restore-speed-'));
  let restored = 0;
  let batches = 0;
  let ended = 0;
  let start = 0;
  let cpu0 = process.cpuUsage();
  let finish!: (r: { rate: number; cpuUsPerRecord: number; batches: number }) => void;
  const done = new Promise<{ rate: number; cpuUsPerRecord: number; batches: number }>((r) => (finish = r));
  const streams = new KafkaStreams(
    builder.build(),
    { applicationId, bootstrapServers: servers!, stateDir, logger: quiet, nativeClient },
    {
      restoreListener: {
        onRestoreStart() {
          if (start === 0) {
            start = performance.now();
            cpu0 = process.cpuUsage();
          }
        },
        onBatchRestored(p) {
          restored += p.restored;
          batches++;
        },
        onRestoreEnd() {
          if (++ended < PARTITIONS) return;
          const seconds = (performance.now() - start) / 1000;
          const cpu = process.cpuUsage(cpu0);
          finish({ rate: restored / seconds, cpuUsPerRecord: (cpu.user + cpu.system) / restored, batches });
        },
      },
    },
  );
  await streams.start();
  const result = await done;
  await streams.close();
  rmSync(stateDir, { recursive: true, force: true });
  if (restored !== keys) throw new Error(`restored ${restored} records, expected ${keys}`);
  return result;
}

const rates = new Map(modes.map((m) => [m, [] as number[]]));
for (let r = 0; r < rounds; r++) {
  for (const mode of modes) {
    const { rate, cpuUsPerRecord, batches } = await once(mode);
    rates.get(mode)!.push(rate);
    console.log(
      `round ${r + 1}, nativeClient ${mode}: ${Math.round(rate)} records/s, ${cpuUsPerRecord.toFixed(2)} µs CPU/rec, ${batches} batches`,
    );
  }
}
for (const [mode, list] of rates) {
  list.sort((a, b) => a - b);
  console.log(
    `nativeClient ${mode}: median ${Math.round(list[Math.floor(list.length / 2)]!)} records/s over ${rounds} rounds of ${keys} keys`,
  );
}
await admin.deleteTopics([input, changelog]);
admin.close();
await broker?.stop();
