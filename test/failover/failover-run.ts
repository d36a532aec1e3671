// The failover measurement of standby replicas (issue #16): two replica processes share a one-partition table of
// `records` distinct keys; its owner is SIGKILLed while it writes 0.5 % more, and the time until the survivor
// processes again is measured (and its table checked to hold every key), with the survivor keeping a standby of the
// table (`numStandbyReplicas: 1`) or not. Used by test/standby-replicas.test.ts (a quick size) and
// scripts/measure-failover.ts (`npm run measure:failover`, 1 000 000 records).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { KafkaAdmin, KafkaProducerClient } from '@kaskade/core/internal';

export interface FailoverOptions {
  readonly bootstrapServers: string;
  /** Distinct keys in the table: the store's size. */
  readonly records: number;
  /** `numStandbyReplicas` of both replicas. */
  readonly standbys: number;
  readonly guarantee?: 'at_least_once' | 'exactly_once_v2';
  readonly log?: (line: string) => void;
}

export interface FailoverResult {
  readonly records: number;
  readonly standbys: number;
  /** From the SIGKILL of the owner to the survivor's first processed record, in ms (its clock and ours: one host). */
  readonly killToProcessingMs: number;
  /** Changelog records the survivor restored when the task became active there. */
  readonly restored: number;
  /** Changelog records the survivor's standby had applied when the owner was killed. */
  readonly standbyApplied: number;
}

interface Replica {
  readonly name: string;
  readonly proc: ChildProcess;
  exited: boolean;
  /** The latest progress event (the instance's metrics and its time). */
  last: Progress | undefined;
  /** The first progress event with a processed record. */
  firstProcessed: Progress | undefined;
}

interface Progress {
  readonly t: number;
  readonly processed: number;
  readonly restoredRecords: number;
  readonly activeTasks: readonly string[];
  readonly standbyTasks: readonly string[];
  readonly standbyRecords: number;
  /** Keys in the table (while the task is active there). */
  readonly entries?: number;
}

const TASK = '0_0';

export async function runFailover(options: FailoverOptions): Promise<FailoverResult> {
  const { bootstrapServers, records: n, standbys } = options;
  const log = options.log ?? (() => undefined);
  const suffix = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const input = `failover-in-${suffix}`;
  const appId = `failover-app-${suffix}`;
  const admin = KafkaAdmin.create(bootstrapServers);
  const dirs: string[] = [];
  const replicas: Replica[] = [];
  const slack = 120_000 + n / 5; // generous: two cores shared with other test runs
  try {
    await admin.createTopics([{ topic: input, partitions: 1, replicationFactor: 1 }]);
    for (const name of ['a', 'b']) {
      const dir = mkdtempSync(join(tmpdir(), `kaskade-failover-${name}-`));
      dirs.push(dir);
      replicas.push(spawnReplica(options, name, appId, input, dir));
    }
    await until(
      async () => {
        // Only once the group exists: describing a group that does not exist crashes the process (a segmentation
        // fault in the client's native describeGroups, @confluentinc/kafka-javascript 1.10.1).
        if (!replicas.some((r) => r.last?.activeTasks.includes(TASK))) return false;
        const group = await admin.describeGroup(appId).catch(() => undefined);
        if (group?.state !== 'Stable' || group.members.length !== 2) return false;
        return standbys === 0 || replicas.some((r) => r.last?.standbyTasks.includes(TASK));
      },
      slack,
      'both replicas in the group, one owning the task (and the other keeping its standby)',
    );
    const owner = replicas.find((r) => r.last!.activeTasks.includes(TASK))!;
    const survivor = replicas.find((r) => r !== owner)!;
    log(`[failover] owner ${owner.name}, survivor ${survivor.name}; producing ${n} records`);
    await produce(bootstrapServers, input, 0, n);
    await until(
      async () => {
        const [c] = await admin.groupOffsets(appId, [{ topic: input, partition: 0 }]);
        return (c?.offset ?? 0) >= n;
      },
      slack,
      `the owner to process and commit ${n} records`,
    );
    // More records, and the SIGKILL while the owner is in the middle of them: its changelog is still being written.
    const tail = Math.ceil(n / 200);
    await produce(bootstrapServers, input, n, n + tail);
    await until(() => (owner.last?.processed ?? 0) > n, slack, 'the owner to process some of the tail');
    const standbyApplied = survivor.last!.standbyRecords;
    const killedAt = Date.now();
    owner.proc.kill('SIGKILL');
    log(`[failover] SIGKILL ${owner.name}; the survivor's standby had applied ${standbyApplied} records`);
    const total = n + tail + 10;
    await produce(bootstrapServers, input, n + tail, total);
    await until(() => survivor.firstProcessed !== undefined, slack, 'the survivor to process again');
    // The warm store plus the restored tail plus what it processed since: every key, once.
    await until(() => survivor.last?.entries === total, slack, `the survivor's table to hold all ${total} keys`);
    const first = survivor.firstProcessed!;
    const result = {
      records: n,
      standbys,
      killToProcessingMs: first.t - killedAt,
      restored: first.restoredRecords,
      standbyApplied,
    };
    log(
      `[failover] records=${n} numStandbyReplicas=${standbys}: processing again ${result.killToProcessingMs} ms after ` +
        `the SIGKILL; restored ${result.restored} records (${((100 * result.restored) / n).toFixed(3)} % of the store)`,
    );
    return result;
  } finally {
    for (const r of replicas) if (!r.exited) r.proc.kill('SIGTERM');
    await until(() => replicas.every((r) => r.exited), 60_000, 'the replicas to exit').catch(() => {
      for (const r of replicas) if (!r.exited) r.proc.kill('SIGKILL');
    });
    await admin.deleteTopics([input]).catch(() => undefined);
    admin.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

function spawnReplica(o: FailoverOptions, name: string, appId: string, input: string, stateDir: string): Replica {
  const args = [o.bootstrapServers, appId, input, stateDir, name, String(o.standbys), o.guarantee ?? 'exactly_once_v2'];
  const proc = spawn(
    process.execPath,
    ['--conditions=kaskade-source', '--import', 'tsx', 'test/failover/failover-replica.ts', ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const r: Replica = { name, proc, exited: false, last: undefined, firstProcessed: undefined };
  proc.on('exit', () => (r.exited = true));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let e: { event?: string; message?: string } & Progress;
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      return; // not ours
    }
    if (e.event === 'progress') {
      r.last = e;
      if (e.processed > 0 && r.firstProcessed === undefined) r.firstProcessed = e;
    } else if (e.event === 'warn' || e.event === 'error') {
      o.log?.(`[failover] replica ${name} ${e.event}: ${e.message}`);
    }
  });
  return r;
}

/** Records [from, to) with distinct keys, delivered. */
async function produce(bootstrapServers: string, topic: string, from: number, to: number): Promise<void> {
  let failed: Error | undefined;
  const p = new KafkaProducerClient({
    bootstrapServers,
    config: { 'linger.ms': 20, 'batch.num.messages': 10_000 },
    onDelivery: (r) => {
      if (r.error) failed ??= r.error;
    },
  });
  await p.connect();
  const value = Buffer.from('x'.repeat(40));
  for (let i = from; i < to; i++) {
    while (!p.produce(topic, 0, value, Buffer.from(`key-${i}`), Date.now())) await p.flush();
  }
  await p.flush();
  await p.disconnect();
  if (failed) throw failed;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
