// `npm run bench -- [options]`: Kafka Streams' SimpleBenchmark scenarios for Kaskade, measured side by side with the
// raw Kafka client. See docs PERFORMANCE.md and `npm run bench -- --help`.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KafkaAdmin } from '@kaskade/core/internal';
import type { KafkaCluster } from '@kaskade/testing';
import { KEY_SPACE, baseTimestamp, createTopics, endOffsetSum, preload, preloadTable, splitSizes } from './lib/data.js';
import { USAGE, parseOptions } from './lib/options.js';
import type { BenchOptions } from './lib/options.js';
import { clockTicksPerSecond } from './lib/proc-stats.js';
import { compare, formatComparison, formatOverhead } from './lib/comparison.js';
import type { ComparisonSummary } from './lib/comparison.js';
import { computeRatios, formatTable, measuresOf, summarize } from './lib/report.js';
import type { RunRecord, RungInfo, RungSummary } from './lib/report.js';
import { kafkaStreamsVersion, kafkaStreamsWorker } from './lib/kafka-streams-build.js';
import type { KafkaStreamsWorker } from './lib/kafka-streams-build.js';
import { isKafkaStreamsRung } from './lib/rung.js';
import type { AnyRung } from './lib/rung.js';
import type { WorkerArgs, WorkerOutput } from './lib/worker-protocol.js';
import { BASELINE_RUNG, COMPARISONS, OVERHEADS, RUNGS } from './rungs/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(here);
const workerPath = join(here, 'rung-worker.ts');
const kafkaStreamsModule = join(here, 'kafka-streams');

const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);

/** What must be undone on exit, normal or not. */
const running: {
  child?: ChildProcess;
  broker?: KafkaCluster;
  admin?: KafkaAdmin;
  runId?: string;
  interrupted?: boolean;
} = {};

class Interrupted extends Error {}

function firstErrorLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return lines.find((l) => /^[A-Za-z]*Error\b/.test(l)) ?? lines[lines.length - 1];
}

/**
 * Runs one rung in a child process and returns what it printed (or a failure made from how it died): a Node.js
 * rung-worker, or with `jvm` Kafka Streams' worker. With `profile` (a path without extension), a Node.js worker runs
 * under `node --cpu-prof` and its main thread's profile ends up in `<profile>.cpuprofile` (tsx's loader thread
 * writes one too; it is dropped).
 */
function runWorker(
  args: WorkerArgs,
  verbose: boolean,
  hardTimeoutMs: number,
  profile?: string,
  jvm?: KafkaStreamsWorker,
): Promise<WorkerOutput> {
  return new Promise((resolve) => {
    const profileDir = !jvm && profile ? `${profile}.tmp` : undefined;
    const child = spawn(
      jvm ? jvm.command : process.execPath,
      jvm
        ? [...jvm.args, JSON.stringify(args)]
        : [
            ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
            '--conditions=kaskade-source',
            '--import',
            'tsx',
            workerPath,
            JSON.stringify(args),
          ],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    running.child = child;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (verbose) process.stderr.write(d);
      stderr = (stderr + d).slice(-65_536);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), hardTimeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.child = undefined;
      if (profile && profileDir) keepMainThreadProfile(profileDir, `${profile}.cpuprofile`);
      for (const line of stdout.split('\n').reverse()) {
        if (!line.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line) as WorkerOutput;
          if (typeof parsed.ok === 'boolean') return resolve({ ...parsed, rung: args.rung });
        } catch {
          // not our line
        }
      }
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      const detail = firstErrorLine(stderr);
      resolve({ ok: false, rung: args.rung, error: `worker ${why}${detail ? `: ${detail}` : ''}`, progress: 0 });
    });
  });
}

/** Moves the main thread's profile (thread id 0 in V8's file name) out of `dir` to `target` and removes `dir`. */
function keepMainThreadProfile(dir: string, target: string): void {
  try {
    const main = readdirSync(dir).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
    if (main) renameSync(join(dir, main), target);
    else log(`no CPU profile of the main thread in ${dir}`);
  } catch (e) {
    log(`could not keep the CPU profile: ${(e as Error).message}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** What a rung wrote to its output topic, and what was wrong with it. */
interface OutputCheck {
  readonly written: number;
  readonly expected: number;
  readonly problem?: string;
}

/**
 * Checks what a successful rung wrote: at least `minOutput` records (one per input record unless the rung says
 * otherwise), exactly that many for the raw rungs, more under exactly-once (whose commits add control records).
 */
async function checkOutput(admin: KafkaAdmin, rung: AnyRung, topic: string, records: number): Promise<OutputCheck> {
  const written = await endOffsetSum(admin, topic);
  const expected = rung.minOutput?.(records) ?? records;
  const check = (problem?: string): OutputCheck => ({ written, expected, ...(problem ? { problem } : {}) });
  if (rung.guarantee === 'none' && written !== expected) {
    return check(`output has ${written} records, expected exactly ${expected}`);
  }
  if (written < expected) return check(`output has ${written} records, expected at least ${expected}`);
  if (rung.guarantee === 'exactly_once_v2' && written === expected) {
    return check('exactly-once is not in effect: the output has no transaction markers');
  }
  return check();
}

async function loadRungs(names: readonly string[]): Promise<Map<string, AnyRung | Error>> {
  const loaded = new Map<string, AnyRung | Error>();
  for (const name of names) {
    try {
      loaded.set(name, await RUNGS.get(name)!());
    } catch (e) {
      loaded.set(name, e instanceof Error ? e : new Error(String(e)));
    }
  }
  return loaded;
}

function describeRun(run: RunRecord, output?: OutputCheck): string {
  const m = measuresOf(run);
  if (!m) return `FAILED: ${run.output.ok ? '' : run.output.error}`;
  return [
    `${Math.round(m.recordsPerSec).toLocaleString('en-US')} rec/s`,
    `${m.cpuMicrosPerRecord.toFixed(2)} µs/rec`,
    `${Math.round(m.peakRssMb)} MB`,
    ...(m.brokerCpuMicrosPerRecord === undefined ? [] : [`broker ${m.brokerCpuMicrosPerRecord.toFixed(2)} µs/rec`]),
    `others ${m.otherBusyCores.toFixed(2)} cores`,
    `${m.seconds.toFixed(2)} s (tail ${Math.round(m.tailMs)} ms, startup ${m.startupSeconds.toFixed(2)} s)`,
    ...(output
      ? [`output ${output.written.toLocaleString('en-US')} (min ${output.expected.toLocaleString('en-US')})`]
      : []),
  ].join('  ');
}

interface BenchResults {
  summaries: RungSummary[];
  comparisons: ComparisonSummary[];
  overheads: ComparisonSummary[];
}

async function bench(options: BenchOptions): Promise<BenchResults> {
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  running.runId = runId;
  // A rung's application id, topics and state directory are named after its position in the list, not its name, so
  // that every rung's names have the same length: an otherwise identical rung run as "dsl-count-observed" measured 9 %
  // slower than as "dsl-count" (0.912 of it over 5 rounds; 0.998 with names of equal length) — a per-record cost that
  // grows with the length of the application id and topic names, which must not favour one rung over another.
  const rungTag = (name: string): string => `k${String(options.rungs.indexOf(name)).padStart(2, '0')}`;
  log(`run names: ${options.rungs.map((name) => `${rungTag(name)} = ${name}`).join(', ')}`);
  let servers = process.env['KASKADE_BOOTSTRAP_SERVERS'];
  let brokerPids: number[] = [];
  if (servers) {
    brokerPids = (process.env['KASKADE_BENCH_BROKER_PIDS'] ?? '')
      .split(',')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
    log(`using the broker at ${servers}${brokerPids.length ? ` (pids ${brokerPids.join(', ')})` : ''}`);
  } else {
    log('starting a Kafka broker ...');
    // Imported only here: with a broker of one's own, the bench does not depend on the testing package at all.
    const { startKafka } = await import('@kaskade/testing');
    running.broker = await startKafka({ brokers: 1 });
    servers = running.broker.bootstrapServers;
    brokerPids = running.broker.nodes.map((n) => n.pid).filter((pid): pid is number => pid !== undefined);
    log(`Apache Kafka ${running.broker.version} at ${servers}`);
  }
  const admin = KafkaAdmin.create(servers);
  running.admin = admin;
  log(
    `load average before the run: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const ticks = clockTicksPerSecond();
  const loaded = await loadRungs(options.rungs);
  let jvm: KafkaStreamsWorker | undefined;
  const kafkaStreamsRungs = options.rungs.filter((name) => {
    const r = loaded.get(name);
    return r !== undefined && !(r instanceof Error) && isKafkaStreamsRung(r);
  });
  if (kafkaStreamsRungs.length > 0) {
    try {
      jvm = await kafkaStreamsWorker(kafkaStreamsModule, options.verbose, log);
      if (!jvm.built) log(`Kafka Streams' side: the build in ${jvm.buildDir}`);
    } catch (e) {
      // Kaskade's rungs still run; Kafka Streams' fail, each with the reason.
      log(`cannot build Kafka Streams' side: ${(e as Error).message}`);
      for (const name of kafkaStreamsRungs) loaded.set(name, e as Error);
    }
  }
  const infos: RungInfo[] = options.rungs.map((name) => {
    const r = loaded.get(name);
    return r instanceof Error || r === undefined
      ? { name, guarantee: 'unknown', description: '' }
      : { name, guarantee: r.guarantee, description: r.description, ...(r.kind ? { kind: r.kind } : {}) };
  });
  const needs = (input: 'table' | 'split') =>
    [...loaded.values()].some((r) => !(r instanceof Error) && r.inputs?.includes(input));
  const runs: RunRecord[] = [];
  // A backstop for a worker stuck in a native call (its own watchdog cannot run then): the stall limit, a minute, and
  // 0.2 ms per record (5 000 records/s, far below any rung).
  // With warm-up runs, a worker drains the input twice.
  const hardTimeoutMs = (options.stallSeconds * 1000 + 60_000 + options.records / 5) * (options.warmRuns ? 2 : 1);
  const stateRoot = mkdtempSync(join(tmpdir(), 'kaskade-bench-'));
  try {
    for (const valueBytes of options.valueBytes) {
      const inputTopic = `bench-${runId}-in-${valueBytes}b`;
      const tableTopic = `bench-${runId}-table-${valueBytes}b`;
      const leftTopic = `bench-${runId}-left-${valueBytes}b`;
      const rightTopic = `bench-${runId}-right-${valueBytes}b`;
      const base = baseTimestamp(options.records);
      const split = needs('split') ? { left: leftTopic, right: rightTopic } : undefined;
      const t0 = Date.now();
      await preload(admin, servers, { main: inputTopic, split }, options.records, valueBytes, base);
      const sizes = splitSizes(options.records);
      log(
        `preloaded ${options.records.toLocaleString('en-US')} records of ${valueBytes} B into ${inputTopic}${split ? ` and, split, ${sizes.left.toLocaleString('en-US')} into ${leftTopic} and ${sizes.right.toLocaleString('en-US')} into ${rightTopic}` : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      if (needs('table')) {
        await preloadTable(admin, servers, tableTopic, valueBytes, base);
        log(
          `preloaded ${KEY_SPACE.toLocaleString('en-US')} records (one per key) of ${valueBytes} B into ${tableTopic}`,
        );
      }
      const workerArgs = (rung: string, tag: string, phase: WorkerArgs['phase'] = 'run', warm = false): WorkerArgs => ({
        rung,
        phase,
        bootstrapServers: servers,
        inputTopic,
        tableTopic,
        leftTopic,
        rightTopic,
        outputTopic: `bench-${runId}-${tag}-out`,
        groupId: `bench-${runId}-${tag}`,
        stateDir: join(stateRoot, tag),
        records: options.records,
        valueBytes,
        batchSize: options.batchSize,
        clockTicksPerSecond: ticks,
        brokerPids,
        stallSeconds: options.stallSeconds,
        verbose: options.verbose,
        ...(warm
          ? {
              warmup: {
                groupId: `bench-${runId}-${tag}-warmup`,
                outputTopic: `bench-${runId}-${tag}-warmup-out`,
                stateDir: join(stateRoot, `${tag}-warmup`),
              },
            }
          : {}),
      });
      if (options.warmup) {
        // The broker's fetch path is cold after the preload; the first timed rung should not pay for that.
        const out = await runWorker(workerArgs('raw-consume', `warmup-${valueBytes}b`), options.verbose, hardTimeoutMs);
        log(`warm-up (raw-consume, untimed): ${out.ok ? `${out.seconds.toFixed(2)} s` : `failed: ${out.error}`}`);
      }
      // Rungs with a prepare phase: run it once (untimed); their runs then share its group id (application id).
      const prepared = new Map<string, { groupId: string; error?: string }>();
      for (const name of options.rungs) {
        const rung = loaded.get(name);
        if (rung === undefined || rung instanceof Error || isKafkaStreamsRung(rung) || !rung.prepare) continue;
        if (running.interrupted) throw new Interrupted('interrupted');
        const args = workerArgs(name, `${rungTag(name)}-${valueBytes}b-prepared`, 'prepare');
        const t = Date.now();
        const out = await runWorker(args, options.verbose, hardTimeoutMs);
        rmSync(args.stateDir, { recursive: true, force: true });
        prepared.set(name, { groupId: args.groupId, ...(out.ok ? {} : { error: `prepare failed: ${out.error}` }) });
        log(
          `${valueBytes} B  prepare ${name} (untimed): ${out.ok ? `${((Date.now() - t) / 1000).toFixed(1)} s` : `FAILED: ${out.error}`}`,
        );
      }
      for (let round = 1; round <= options.rounds; round++) {
        // Rotate the order each round, so that no rung always runs right after the same neighbour.
        const shift = (round - 1) % options.rungs.length;
        const order = [...options.rungs.slice(shift), ...options.rungs.slice(0, shift)];
        for (const name of order) {
          if (running.interrupted) throw new Interrupted('interrupted');
          const rung = loaded.get(name)!;
          let output!: WorkerOutput;
          let written: OutputCheck | undefined;
          const prep = prepared.get(name);
          if (rung instanceof Error) {
            output = { ok: false, rung: name, error: `cannot load: ${rung.message.split('\n')[0]}`, progress: 0 };
          } else if (prep?.error) {
            output = { ok: false, rung: name, error: prep.error, progress: 0 };
          } else {
            for (let attempt = 0; ; attempt++) {
              const tag = `${rungTag(name)}-${valueBytes}b-r${round}-a${attempt}`;
              // A rung with a prepare phase (restore) measures a first start: it gets no warm-up run.
              const warm = options.warmRuns && !prep;
              const ks = isKafkaStreamsRung(rung) ? rung.kafkaStreams : undefined;
              const args: WorkerArgs = {
                ...workerArgs(name, tag, 'run', warm),
                ...(prep ? { groupId: prep.groupId } : {}),
                ...(ks
                  ? {
                      kafkaStreams: {
                        scenario: ks.scenario,
                        cacheMaxBytes: ks.cacheMaxBytes,
                        guarantee: rung.guarantee,
                        processTarget: ks.processTarget(options.records),
                      },
                    }
                  : {}),
              };
              if (rung.writesOutput) {
                await createTopics(admin, [args.outputTopic, ...(args.warmup ? [args.warmup.outputTopic] : [])]);
              }
              const profile =
                options.profileDir &&
                resolvePath(options.profileDir, `${name}-${valueBytes}b-r${round}${attempt ? `-a${attempt}` : ''}`);
              output = await runWorker(args, options.verbose, hardTimeoutMs, profile, ks ? jvm : undefined);
              rmSync(args.stateDir, { recursive: true, force: true });
              if (args.warmup) rmSync(args.warmup.stateDir, { recursive: true, force: true });
              written = undefined;
              if (output.ok && rung.writesOutput) {
                written = await checkOutput(admin, rung, args.outputTopic, options.records);
                if (written.problem)
                  output = { ok: false, rung: name, error: written.problem, progress: output.records };
              }
              const others = measuresOf({ rung: name, valueBytes, round, output })?.otherBusyCores ?? 0;
              if (attempt >= options.busyRetries || others <= options.busyCores || running.interrupted) break;
              log(
                `${valueBytes} B  round ${round}/${options.rounds}  ${name}: other processes kept ${others.toFixed(2)} cores busy; running it again`,
              );
            }
          }
          if (running.interrupted) throw new Interrupted('interrupted');
          const run: RunRecord = { rung: name, valueBytes, round, output };
          runs.push(run);
          log(`${valueBytes} B  round ${round}/${options.rounds}  ${name.padEnd(22)} ${describeRun(run, written)}`);
        }
      }
    }
  } finally {
    rmSync(stateRoot, { recursive: true, force: true });
  }
  log(
    `load average after the run: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  computeRatios(runs, BASELINE_RUNG);
  const summaries: RungSummary[] = [];
  const comparisons: ComparisonSummary[] = [];
  const overheads: ComparisonSummary[] = [];
  for (const valueBytes of options.valueBytes) {
    summaries.push(...summarize(runs, infos, valueBytes));
    comparisons.push(...compare(runs, COMPARISONS, valueBytes));
    overheads.push(...compare(runs, OVERHEADS, valueBytes));
  }
  return { summaries, comparisons, overheads };
}

/** Deletes the run's topics and stops what this process started. Safe to call twice. */
async function cleanUp(): Promise<void> {
  const { child, broker, admin, runId } = running;
  running.child = undefined;
  running.broker = undefined;
  running.admin = undefined;
  if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
  if (admin) {
    // A broker started here takes its data with it; a given one gets its topics back.
    if (!broker && runId) {
      try {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(`bench-${runId}-`));
        await admin.deleteTopics(topics);
      } catch (e) {
        log(`could not delete the run's topics: ${(e as Error).message}`);
      }
    }
    admin.close();
  }
  await broker?.stop();
}

async function main(): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (running.interrupted) return;
    running.interrupted = true;
    log(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    log(
      `rungs: ${options.rungs.join(', ')}; ${options.records.toLocaleString('en-US')} records; values ${options.valueBytes.join(', ')} B; ${options.rounds} round(s); batch ${options.batchSize}`,
    );
    const { summaries, comparisons, overheads } = await bench(options);
    const out: string[] = [];
    for (const valueBytes of options.valueBytes) {
      const title = [
        `\n${valueBytes} B values, ${options.records.toLocaleString('en-US')} records, ${options.rounds} round(s), batch ${options.batchSize}: median (min–max) over rounds`,
        `ratio = records/s ÷ ${BASELINE_RUNG}'s in the same round (first record to output flushed and clients closed);`,
        `drain ratio = the same without the flush-and-close tail (first to last record handled); tail ms = that tail;`,
        `broker µs/rec, tail ms and others busy (cores used by other processes) are medians only; JSON has every spread`,
      ].join('\n');
      out.push(
        formatTable(
          summaries.filter((s) => s.valueBytes === valueBytes),
          title,
        ),
      );
      const vs = comparisons.filter((c) => c.valueBytes === valueBytes);
      if (vs.length > 0) {
        const heading = [
          `\nKaskade ÷ Kafka Streams ${kafkaStreamsVersion(kafkaStreamsModule)}, ${valueBytes} B values: records/s of the same scenario in the same round, median (min–max)`,
          `over rounds; both ${options.warmRuns ? 'warm (an untimed run of the same rung in the same process first)' : 'cold (--cold: no warm-up run)'}, one stream thread;`,
          `cache off against off, on against on (both DSLs cache by default: 10 MiB)`,
        ].join('\n');
        out.push(formatComparison(vs, heading));
      }
      for (const o of overheads.filter((c) => c.valueBytes === valueBytes)) out.push(formatOverhead(o));
    }
    process.stdout.write(`${out.join('\n')}\n`);
    if (options.json) {
      writeFileSync(
        options.json,
        `${JSON.stringify({ rungs: summaries, vsKafkaStreams: comparisons, overheads }, null, 2)}\n`,
      );
      log(`wrote ${options.json}`);
    }
    return 0;
  } catch (e) {
    if (running.interrupted) return 130;
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  } finally {
    if (!running.interrupted) await cleanUp();
  }
}

process.exitCode = await main();
