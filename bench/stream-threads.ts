// Stream threads (numStreamThreads) against one thread: the bench's pass-through (source -> sink) and count
// (dsl-count) over the same preloaded topic, each run as an instance of its own process made by
// KafkaStreams.fromModule (bench/lib/threads-app.ts), with 1 and with 2 threads, interleaved over the rounds. The
// instance starts paused; the clock runs from its resume, once every thread runs its tasks, to the last record
// processed (metrics().processed, polled every 5 ms; with 2 threads the threads report every 50 ms). The CPU each process used in that window is read from /proc: the instance's own
// process, each thread's worker process, the broker. Usage:
//
//   npm run bench:threads -- [--records N] [--rounds R] [--partitions P] [--value-bytes B]
//
// Uses the broker in KASKADE_BOOTSTRAP_SERVERS (KASKADE_BENCH_BROKER_PIDS: its JVMs' pids), or starts one.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { KafkaStreams } from '@kaskade/core';
import { KafkaAdmin, KafkaProducerClient } from '@kaskade/core/internal';
import { clockTicksPerSecond, cpuTicks, machineTicks, processesCpuTicks } from './lib/proc-stats.js';
import type { ThreadsBenchArgs } from './lib/threads-app.js';

interface Measured {
  readonly topology: string;
  readonly threads: number;
  readonly recordsPerSecond: number;
  readonly seconds: number;
  /** CPU seconds in the timed window: the instance's process, each worker process, the broker. */
  readonly cpu: { readonly instance: number; readonly workers: readonly number[]; readonly broker: number | null };
  /** Peak RSS (VmHWM) in MB when the records were processed: the instance's process, each worker process. */
  readonly peakRssMb: { readonly instance: number; readonly workers: readonly number[] };
  readonly machineBusyCores: number;
  readonly cores: number;
}

/** The instance's worker processes (children of this process with KASKADE_STREAM_THREAD), in thread order. */
function workerProcesses(): number[] {
  let pids: number[];
  try {
    pids = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return [];
  }
  const byThread: [number, number][] = [];
  for (const pid of pids) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const thread = env.find((v) => v.startsWith('KASKADE_STREAM_THREAD='));
      if (thread !== undefined) byThread.push([Number(thread.split('=')[1]), pid]);
    } catch {
      // not ours, or gone
    }
  }
  return byThread.sort((a, b) => a[0] - b[0]).map(([, pid]) => pid);
}

function peakRss(pid: number | 'self'): number {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

async function measure(args: ThreadsBenchArgs, records: number, brokerPids: number[]): Promise<Measured> {
  const streams = await KafkaStreams.fromModule(new URL('./lib/threads-app.ts', import.meta.url), { args });
  // Started paused until every thread runs its tasks: the group's hand-over between threads joining one after the
  // other is startup, not throughput.
  streams.pause();
  await streams.start();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const ready = (): boolean =>
    streams.state === 'RUNNING' &&
    streams.metadataForLocalThreads().length === args.threads &&
    streams.metadataForLocalThreads().every((t) => t.threadState === 'RUNNING' && t.activeTasks.length > 0);
  while (!ready()) await sleep(5);
  const workers = workerProcesses();
  streams.resume();
  const t0 = performance.now();
  const c0 = { self: cpuTicks(), workers: workers.map((p) => cpuTicks(p)), broker: processesCpuTicks(brokerPids) };
  const m0 = machineTicks();
  while (streams.metrics().processed < records) await sleep(5);
  const seconds = (performance.now() - t0) / 1000;
  const c1 = { self: cpuTicks(), workers: workers.map((p) => cpuTicks(p)), broker: processesCpuTicks(brokerPids) };
  const m1 = machineTicks();
  const peakRssMb = { instance: peakRss('self'), workers: workers.map((p) => peakRss(p)) };
  if (!(await streams.close({ timeoutMs: 60_000 }))) throw new Error('close timed out');
  if (streams.error) throw streams.error;
  const hz = clockTicksPerSecond();
  const brokerTicks = c0.broker === undefined || c1.broker === undefined ? null : c1.broker - c0.broker;
  return {
    topology: args.topology,
    threads: args.threads,
    recordsPerSecond: Math.round(records / seconds),
    seconds,
    cpu: {
      instance: (c1.self - c0.self) / hz,
      workers: c1.workers.map((t, i) => (t - c0.workers[i]!) / hz),
      broker: brokerTicks === null ? null : brokerTicks / hz,
    },
    peakRssMb,
    machineBusyCores: ((m1.busy - m0.busy) / (m1.total - m0.total)) * m1.cores,
    cores: m1.cores,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '1000000' },
      rounds: { type: 'string', default: '2' },
      partitions: { type: 'string', default: '4' },
      'value-bytes': { type: 'string', default: '100' },
      measure: { type: 'string' },
    },
  });
  const records = Number(values.records);
  const brokerPids = (process.env['KASKADE_BENCH_BROKER_PIDS'] ?? '')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  if (values.measure !== undefined) {
    const result = await measure(JSON.parse(values.measure) as ThreadsBenchArgs, records, brokerPids);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }
  let servers = process.env['KASKADE_BOOTSTRAP_SERVERS'];
  let stop: (() => Promise<void>) | undefined;
  if (!servers) {
    const { startKafka } = await import('@kaskade/testing');
    const broker = await startKafka({ brokers: 1 });
    servers = broker.bootstrapServers;
    brokerPids.push(...broker.nodes.map((n) => n.pid).filter((p): p is number => p !== undefined));
    stop = () => broker.stop();
  }
  try {
    const partitions = Number(values.partitions);
    const suffix = Date.now().toString(36);
    const input = `threads-bench-in-${suffix}`;
    const admin = KafkaAdmin.create(servers);
    await admin.createTopics([{ topic: input, partitions, replicationFactor: -1 }]);
    const producer = new KafkaProducerClient({ bootstrapServers: servers, config: { 'linger.ms': 50 } });
    await producer.connect();
    const value = Buffer.alloc(Number(values['value-bytes']), 1);
    for (let i = 0; i < records; i++) {
      const key = Buffer.allocUnsafe(4);
      key.writeInt32BE(i % 10_000);
      while (!producer.produce(input, i % partitions, value, key, Date.now())) await producer.flush();
    }
    await producer.flush();
    await producer.disconnect();
    console.error(`[threads] ${records} records of ${values['value-bytes']} B in ${input} (${partitions} partitions)`);
    const results: Measured[] = [];
    for (let round = 1; round <= Number(values.rounds); round++) {
      for (const topology of ['passthrough', 'count'] as const) {
        for (const threads of [1, 2]) {
          const run = `${topology}-${threads}-${round}-${suffix}`;
          const output = `threads-bench-out-${run}`;
          await admin.createTopics([{ topic: output, partitions, replicationFactor: -1 }]);
          const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-threads-bench-'));
          const args: ThreadsBenchArgs = {
            topology,
            threads,
            bootstrapServers: servers,
            applicationId: `threads-bench-${run}`,
            input,
            output,
            stateDir,
          };
          const child = spawn(
            process.execPath,
            [...process.execArgv, process.argv[1]!, '--records', String(records), '--measure', JSON.stringify(args)],
            {
              stdio: ['ignore', 'pipe', 'inherit'],
              env: { ...process.env, KASKADE_BENCH_BROKER_PIDS: brokerPids.join(',') },
            },
          );
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          const code = await new Promise<number | null>((r) => child.on('exit', r));
          rmSync(stateDir, { recursive: true, force: true });
          if (code !== 0) throw new Error(`${topology} with ${threads} thread(s) failed (exit ${code})`);
          const m = JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
          results.push(m);
          const cpu = [
            `instance ${m.cpu.instance.toFixed(2)}`,
            ...m.cpu.workers.map((w, i) => `thread ${i + 1} ${w.toFixed(2)}`),
          ];
          if (m.cpu.broker !== null) cpu.push(`broker ${m.cpu.broker.toFixed(2)}`);
          const rss = [m.peakRssMb.instance, ...m.peakRssMb.workers].join(' / ');
          console.error(
            `[threads] round ${round} ${topology} × ${threads}: ${m.recordsPerSecond} records/s (${m.seconds.toFixed(2)} s); ` +
              `CPU s: ${cpu.join(', ')}; peak RSS MB ${rss}; machine busy ${m.machineBusyCores.toFixed(2)} of ${m.cores} cores`,
          );
        }
      }
    }
    admin.close();
    console.log(
      '\n| topology | threads | records/s (median) | 2 ÷ 1 | CPU s: instance / threads / broker | busy cores |',
    );
    console.log('|---|---|---|---|---|---|');
    for (const topology of ['passthrough', 'count']) {
      const median = (threads: number): Measured => {
        const runs = results.filter((r) => r.topology === topology && r.threads === threads);
        return runs.sort((a, b) => a.recordsPerSecond - b.recordsPerSecond)[Math.floor((runs.length - 1) / 2)]!;
      };
      const one = median(1);
      for (const m of [one, median(2)]) {
        const split = [m.cpu.instance, ...m.cpu.workers].map((c) => c.toFixed(2)).join(' / ');
        const ratio = m.threads === 1 ? '' : (m.recordsPerSecond / one.recordsPerSecond).toFixed(2);
        console.log(
          `| ${topology} | ${m.threads} | ${m.recordsPerSecond} | ${ratio} | ${split} / ${m.cpu.broker?.toFixed(2) ?? '?'} | ${m.machineBusyCores.toFixed(2)} of ${m.cores} |`,
        );
      }
    }
  } finally {
    await stop?.();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
