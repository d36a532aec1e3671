// The exactly-once verification, in the style of Kafka Streams' EOS system test (EosTestDriver): a driver writes
// random values to random keys, replica processes compute an echo and per-key sum/min/max/count through a repartition
// topic while being killed (SIGKILL) and restarted, and a verifier reads everything read_committed and compares it
// with what the input implies — record by record, in order.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Serdes } from '@kaskade/core';
import { KafkaAdmin, KafkaProducerClient } from '@kaskade/core/internal';
import { expectations, readAll } from './eos-output.js';
import { EOS_TOPICS } from './eos-topology.js';
import type { EosTopic } from './eos-topology.js';

export interface EosVerificationOptions {
  readonly bootstrapServers: string;
  readonly records: number;
  readonly replicas: number;
  /** At least this many SIGKILLs during the run. */
  readonly kills: number;
  readonly partitions?: number;
  readonly keys?: number;
  /** Puts an asynchronous processor in front of the echo and the repartition topic (see eos-topology.ts). */
  readonly asyncStage?: boolean;
  /**
   * Storm mode: for this long, every 1-3 s a random replica is stopped (SIGTERM), killed (SIGKILL) or started (at
   * least one keeps running), while the input is produced over the whole time; then all are started and the output
   * is checked. Without it, one replica at a time is killed (or stopped) and restarted at once.
   */
  readonly stormMs?: number;
  readonly log?: (line: string) => void;
}

export interface EosVerificationResult {
  readonly records: number;
  readonly kills: number;
  readonly cleanRestarts: number;
  readonly duplicates: number;
  readonly losses: number;
  /** Mismatches of echo order or of aggregate sequences (wrong values, not only duplicates/losses). */
  readonly errors: readonly string[];
  readonly openTransactions: number;
  /** Changelog records replayed by restarted tasks (the tail after each store's committed offset)... */
  readonly restoredRecords: number;
  /** ...and changelog records those stores already had on disk (their committed offsets), so needed no replay. */
  readonly skippedByStoredOffsets: number;
  readonly seconds: number;
}

interface Replica {
  readonly instanceId: string;
  readonly stateDir: string;
  proc: ChildProcess | undefined;
  running: boolean;
  state: string;
  processed: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runEosVerification(options: EosVerificationOptions): Promise<EosVerificationResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const partitions = options.partitions ?? 6;
  const keys = options.keys ?? 200;
  const id = `eos-${process.pid}-${Date.now().toString(36)}`;
  const topic = (t: EosTopic) => `${id}-${t}`;
  const appId = `${id}-app`;
  const servers = options.bootstrapServers;
  const admin = KafkaAdmin.create(servers);
  await admin.createTopics(EOS_TOPICS.map((t) => ({ topic: topic(t), partitions, replicationFactor: -1 })));

  const baseDir = mkdtempSync(join(tmpdir(), 'kaskade-eos-'));
  let restoredRecords = 0;
  let skippedByStoredOffsets = 0;
  const replicas: Replica[] = [...Array(options.replicas).keys()].map((i) => ({
    instanceId: `replica-${i}`,
    stateDir: join(baseDir, `replica-${i}`),
    proc: undefined,
    running: false,
    state: 'CREATED',
    processed: 0,
  }));
  const start = (r: Replica) => {
    const proc = spawn(
      process.execPath,
      [
        '--conditions=kaskade-source',
        '--import',
        'tsx',
        'test/eos/eos-replica.ts',
        servers,
        appId,
        r.instanceId,
        r.stateDir,
        id,
        ...(options.asyncStage ? ['async'] : []),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    r.proc = proc;
    r.running = true;
    r.state = 'CREATED';
    r.processed = 0;
    proc.on('exit', () => {
      if (r.proc === proc) r.running = false;
    });
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const e = JSON.parse(line) as {
          event: string;
          state?: string;
          processed?: number;
          restored?: number;
          startOffset?: number;
          message?: string;
        };
        if (e.event === 'progress') {
          r.processed = e.processed ?? 0;
          r.state = e.state ?? r.state;
        } else if (e.event === 'state') r.state = e.state!;
        else if (e.event === 'restore-end') {
          restoredRecords += e.restored ?? 0;
          skippedByStoredOffsets += e.startOffset ?? 0;
        } else if (e.event === 'error') log(`[${r.instanceId}] error: ${e.message}`);
        else if (e.event === 'protocol' && !protocolLogged) {
          protocolLogged = true;
          log(`[${r.instanceId}] ${e.message}`);
        }
      } catch {
        // not ours
      }
    });
  };
  const stop = async (r: Replica, signal: NodeJS.Signals) => {
    const proc = r.proc;
    if (!proc || !r.running) return;
    proc.kill(signal);
    const deadline = Date.now() + 30_000;
    while (r.running && Date.now() < deadline) await sleep(50);
    if (r.running) {
      proc.kill('SIGKILL');
      while (r.running) await sleep(50);
    }
  };

  let protocolLogged = false;
  let kills = 0;
  let cleanRestarts = 0;
  const inputByPartition = new Map<number, { key: string; value: number }[]>();
  try {
    replicas.forEach(start);

    // The driver: random keys and values, produced in chunks while the chaos goes on.
    const producer = new KafkaProducerClient({
      bootstrapServers: servers,
      config: { partitioner: 'murmur2_random', 'linger.ms': 10 },
      onDelivery: (d) => {
        if (d.error) throw d.error;
        const rec = d.opaque as { key: string; value: number };
        let list = inputByPartition.get(d.partition);
        if (!list) inputByPartition.set(d.partition, (list = []));
        list[d.offset] = rec;
      },
    });
    await producer.connect();
    const I = Serdes.Int64();
    const storm = options.stormMs;
    const chunks = storm === undefined ? 20 : Math.max(20, Math.round(storm / 1000));
    const pauseMs = storm === undefined ? 400 : storm / chunks;
    let produced = 0;
    const produceAll = (async () => {
      for (let c = 0; c < chunks; c++) {
        const until = Math.round(((c + 1) * options.records) / chunks);
        for (; produced < until; produced++) {
          const key = `k${Math.floor(Math.random() * keys)}`;
          const value = Math.floor(Math.random() * 2001) - 1000;
          const opaque = { key, value };
          while (
            !producer.produce(
              topic('data'),
              -1,
              I.serialize('', value),
              Buffer.from(key),
              Date.now(),
              undefined,
              opaque,
            )
          ) {
            await producer.flush();
          }
        }
        await producer.flush();
        await sleep(pauseMs);
      }
      await producer.flush();
      await producer.disconnect();
    })();

    // The chaos: one replica at a time, mostly SIGKILL, sometimes a clean restart, while the others go on.
    let productionDone = false;
    void produceAll.then(() => (productionDone = true));
    let round = 0;
    if (storm !== undefined) {
      const counts = await runStorm(replicas, storm, () => productionDone, { start, stop, log });
      kills += counts.kills;
      cleanRestarts += counts.stops;
    }
    while (storm === undefined && (!productionDone || kills < options.kills)) {
      await sleep(1500 + Math.random() * 1500);
      const victim = replicas[round++ % replicas.length]!;
      const clean = round % 4 === 0;
      if (clean) {
        await stop(victim, 'SIGTERM');
        cleanRestarts++;
      } else {
        await stop(victim, 'SIGKILL');
        kills++;
      }
      log(`[chaos] ${clean ? 'stopped' : 'killed'} ${victim.instanceId} (kills ${kills}, produced ${produced})`);
      await sleep(500 + Math.random() * 1000);
      start(victim);
    }
    await produceAll;
    for (const r of replicas) if (!r.running) start(r);
    log(`[driver] produced ${produced} records; waiting for the replicas to finish`);

    // The verifier: read every output topic to the end, read_committed.
    const expected = expectations(inputByPartition);
    const out = await readAll(servers, EOS_TOPICS.filter((t) => t !== 'data').map(topic), (got) => {
      const echoCount = got.get(topic('echo'))!.size;
      return (
        echoCount >= options.records && [...expected.counts].every(([k, n]) => got.get(topic('cnt'))!.last.get(k) === n)
      );
    });
    await Promise.all(replicas.map((r) => stop(r, 'SIGTERM')));

    const errors: string[] = [];
    // Echo: per partition, exactly the input, in order.
    let duplicates = 0;
    let losses = 0;
    const echo = out.get(topic('echo'))!;
    for (const [p, input] of inputByPartition) {
      const got = echo.byPartition.get(p) ?? [];
      const seen = new Map<string, number>();
      for (const r of got) seen.set(`${r.key}=${r.value}`, (seen.get(`${r.key}=${r.value}`) ?? 0) + 1);
      duplicates += Math.max(0, got.length - input.length);
      const inputCounts = new Map<string, number>();
      for (const r of input) inputCounts.set(`${r.key}=${r.value}`, (inputCounts.get(`${r.key}=${r.value}`) ?? 0) + 1);
      for (const [k, n] of inputCounts) losses += Math.max(0, n - (seen.get(k) ?? 0));
      const same =
        got.length === input.length && got.every((r, i) => r.key === input[i]!.key && r.value === input[i]!.value);
      if (!same)
        errors.push(`echo partition ${p}: ${got.length} records differ from the ${input.length} input records`);
    }
    // Aggregates: per key, every update in order equals the running aggregate of the input.
    for (const t of ['sum', 'min', 'max', 'cnt'] as const) {
      const got = out.get(topic(t))!.byKey;
      for (const [key, want] of expected.sequences[t]) {
        const have = got.get(key) ?? [];
        if (have.length !== want.length || have.some((v, i) => v !== want[i])) {
          errors.push(
            `${t} of ${key}: ${have.length} updates [${have.slice(-3).join(',')}…] expected ${want.length} [${want.slice(-3).join(',')}…]`,
          );
          if (have.length > want.length) duplicates += have.length - want.length;
        }
      }
    }
    // No transaction left open: on every partition the last stable offset has reached the high watermark.
    const all = EOS_TOPICS.map(topic).concat([`${appId}-data-repartition`, `${appId}-aggregates-changelog`]);
    const tps = all.flatMap((t) => [...Array(partitions).keys()].map((partition) => ({ topic: t, partition })));
    const [stable, high] = await Promise.all([
      admin.listOffsets(tps, 'latest', 'read_committed'),
      admin.listOffsets(tps, 'latest', 'read_uncommitted'),
    ]);
    const openTransactions = stable.filter((s, i) => s.offset !== high[i]!.offset).length;
    return {
      records: produced,
      kills,
      cleanRestarts,
      duplicates,
      losses,
      errors,
      openTransactions,
      restoredRecords,
      skippedByStoredOffsets,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await Promise.all(replicas.map((r) => stop(r, 'SIGKILL')));
    admin.close();
    rmSync(baseDir, { recursive: true, force: true });
  }
}

/** The storm: until `ms` have passed and the input is all produced, a random replica is stopped, killed or started. */
async function runStorm(
  replicas: readonly Replica[],
  ms: number,
  productionDone: () => boolean,
  act: {
    start: (r: Replica) => void;
    stop: (r: Replica, signal: NodeJS.Signals) => Promise<void>;
    log: (line: string) => void;
  },
): Promise<{ kills: number; stops: number; starts: number }> {
  const counts = { kills: 0, stops: 0, starts: 0 };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
  const end = Date.now() + ms;
  while (Date.now() < end || !productionDone()) {
    await sleep(1000 + Math.random() * 2000);
    const running = replicas.filter((r) => r.running);
    const stopped = replicas.filter((r) => !r.running);
    if (stopped.length > 0 && (running.length <= 1 || Math.random() < 0.5)) {
      const r = pick(stopped);
      act.start(r);
      counts.starts++;
      act.log(`[storm] started ${r.instanceId}`);
    } else {
      const r = pick(running);
      const kill = Math.random() < 0.6;
      await act.stop(r, kill ? 'SIGKILL' : 'SIGTERM');
      if (kill) counts.kills++;
      else counts.stops++;
      act.log(`[storm] ${kill ? 'killed' : 'stopped'} ${r.instanceId}`);
    }
  }
  act.log(`[storm] over: ${counts.kills} kills, ${counts.stops} stops, ${counts.starts} starts`);
  return counts;
}
