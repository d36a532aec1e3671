// Corrupt state on the real broker (issue 10, point 4): an application with a logged store runs in a child process
// (where a crash of the process itself can happen and be seen), is stopped — SIGKILL or a clean close — and each of
// its eight tasks gets one kind of damage to its LMDB files. On restart, no damage may crash the process or be
// treated as a bad record: each store ends rebuilt from its changelog with the right content.
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTaskId } from '@kaskade/processor-api';
import type { KeyValueStore } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import { KafkaAdmin } from '@kaskade/core/internal';
import type { RestoreProgress } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import { TaskStateManager } from '@kaskade/state-store/internal';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { COUNTS_STORE } from './fixtures/counting-topology.js';
import { DAMAGES, damageTask, storeHasData } from './fixtures/damage-lmdb.js';
import type { Damage } from './fixtures/damage-lmdb.js';
import { createTopics, eventually, produce } from './kafka-helpers.js';
import { startReplicaProcess } from './replica-process.js';

const PARTITIONS = DAMAGES.length; // task 0_<i> gets damage i
const KEYS_PER_PARTITION = 250;
const RECORDS_PER_ROUND = 500; // per partition: every key twice

const dirs: string[] = [];
afterAll(() => {
  if (process.env.KEEP_STATE === undefined) dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kaskade-corrupt-'));
  dirs.push(d);
  return d;
};

/** Long keys, so that each task's store spans a few dozen pages and has a middle. */
const keyOf = (partition: number, j: number) => `p${partition}-key-${j % KEYS_PER_PARTITION}-${'x'.repeat(40)}`;

function* round(r: number) {
  for (let j = 0; j < RECORDS_PER_ROUND; j++) {
    for (let partition = 0; partition < PARTITIONS; partition++) {
      yield { key: keyOf(partition, j), value: `${r}-${j}`, partition };
    }
  }
}

/** The counts a task's store must hold after `rounds` rounds of input. */
function expectedCounts(partition: number, rounds: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let j = 0; j < RECORDS_PER_ROUND; j++) m.set(keyOf(partition, j), (m.get(keyOf(partition, j)) ?? 0) + rounds);
  return m;
}

/** Reads what a stopped instance left in each task's store. */
function localCounts(stateDir: string, appId: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const appDir = join(stateDir, appId);
  for (const taskId of readdirSync(appDir)) {
    const id = parseTaskId(taskId);
    const manager = new TaskStateManager({
      applicationId: appId,
      taskId: id,
      taskDir: join(appDir, taskId),
      logChange: () => undefined,
      streamTimeMs: () => 0,
      cacheMaxBytes: 0,
    });
    const store = manager.register(
      Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COUNTS_STORE), Serdes.String(), Serdes.Int64()),
      { topic: `${appId}-${COUNTS_STORE}-changelog`, partition: id.partition },
    ) as KeyValueStore<string, number>;
    const data = new Map<string, number>();
    for (const kv of store.all()) data.set(kv.key, kv.value);
    manager.close();
    out.set(taskId, data);
  }
  return out;
}

async function committedInput(appId: string, topic: string): Promise<number> {
  const admin = KafkaAdmin.create(bootstrapServers());
  try {
    const offsets = await admin.groupOffsets(
      appId,
      [...Array(PARTITIONS).keys()].map((partition) => ({ topic, partition })),
    );
    return offsets.reduce((a, o) => a + Math.max(0, o.offset), 0);
  } finally {
    admin.close();
  }
}

interface App {
  readonly proc: ChildProcess;
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  state: string;
  readonly restores: RestoreProgress[];
  readonly warnings: string[];
  readonly errors: string[];
}

/** Runs the counting application (exactly-once) in a child process, as the replica tests do. */
function startApp(appId: string, input: string, output: string, stateDir: string, uid?: number): App {
  const args = [bootstrapServers(), appId, input, output, stateDir, 'exactly_once_v2'];
  const p = startReplicaProcess(
    'test/fixtures/counting-replica.ts',
    args,
    (e: { event: string; state?: string; message?: string } & RestoreProgress) => {
      if (e.event === 'state') app.state = e.state!;
      if (e.event === 'restore-start') app.restores.push(e);
      if (e.event === 'warn') app.warnings.push(e.message!);
      if (e.event === 'error') app.errors.push(e.message!);
    },
    uid === undefined ? {} : { uid },
  );
  // Lines arrive after this returns, so the handler's `app` is set by then.
  const app: App = {
    proc: p.proc,
    get exit() {
      return p.exit;
    },
    state: 'CREATED',
    restores: [],
    warnings: [],
    errors: [],
  };
  return app;
}

async function stopApp(app: App, signal: NodeJS.Signals): Promise<void> {
  if (app.exit === undefined) app.proc.kill(signal);
  await eventually(() => app.exit !== undefined, 60_000, 'the application process to exit');
}

/** Waits until the application committed `records` input records, failing at once if its process died. */
async function processedThrough(app: App, appId: string, input: string, records: number): Promise<void> {
  await eventually(
    async () => {
      if (app.exit !== undefined) throw new Error(`the application process died: ${JSON.stringify(app.exit)}`);
      return app.state === 'RUNNING' && (await committedInput(appId, input)) >= records;
    },
    120_000,
    `${records} input records to be committed`,
  ).catch((e: unknown) => {
    // Say what the application was doing: its state and its last warnings and errors.
    const recent = [...app.errors.slice(-5), ...app.warnings.slice(-5)].join(' | ');
    throw new Error(`${(e as Error).message} (application state ${app.state}; last messages: ${recent || 'none'})`, {
      cause: e,
    });
  });
}

describe('corrupt state on the real broker', () => {
  const input = uniqueName('corrupt-in');
  const output = uniqueName('corrupt-out');
  const appId = uniqueName('corrupt-app');
  const stateDir = tempDir();
  const taskDir = (partition: number) => join(stateDir, appId, `0_${partition}`);
  const perRound = RECORDS_PER_ROUND * PARTITIONS;
  /** The restarted application of each scenario, kept for the per-case checks. */
  let afterKill: App;
  let afterKillCounts: Map<string, Map<string, number>>;
  let afterClose: App;
  let afterCloseCounts: Map<string, Map<string, number>>;
  let whileRunning: App;
  let whileRunningCounts: Map<string, Map<string, number>>;
  let restoresBeforeDamage: number;

  beforeAll(async () => {
    await createTopics({ topic: input, partitions: PARTITIONS }, { topic: output, partitions: PARTITIONS });
    await produce(input, round(0));
    const first = startApp(appId, input, output, stateDir);
    await processedThrough(first, appId, input, perRound);
    await eventually(() => DAMAGES.every((_, p) => storeHasData(taskDir(p))), 30_000, 'the stores to persist');

    // Scenario 1: the process is SIGKILLed (the common exactly-once crash), then its files are damaged.
    await stopApp(first, 'SIGKILL');
    DAMAGES.forEach((damage, partition) => damageTask(taskDir(partition), damage));
    afterKill = startApp(appId, input, output, stateDir);
    await produce(input, round(1));
    await processedThrough(afterKill, appId, input, 2 * perRound);
    await stopApp(afterKill, 'SIGTERM');
    afterKillCounts = localCounts(stateDir, appId);

    // Scenario 2: the process closes cleanly, then its files are damaged (damage from outside, while closed).
    DAMAGES.forEach((damage, partition) => damageTask(taskDir(partition), damage));
    afterClose = startApp(appId, input, output, stateDir);
    await produce(input, round(2));
    await processedThrough(afterClose, appId, input, 3 * perRound);
    await stopApp(afterClose, 'SIGTERM');
    afterCloseCounts = localCounts(stateDir, appId);

    // Scenario 3: a page of a store in use is zeroed under the running process; the next records read it.
    whileRunning = startApp(appId, input, output, stateDir);
    await processedThrough(whileRunning, appId, input, 3 * perRound);
    await eventually(() => storeHasData(taskDir(0)), 30_000, 'the store of task 0_0 to persist');
    restoresBeforeDamage = whileRunning.restores.length;
    damageTask(taskDir(0), 'a zeroed middle page');
    await produce(input, round(3));
    await processedThrough(whileRunning, appId, input, 4 * perRound);
    await stopApp(whileRunning, 'SIGTERM');
    whileRunningCounts = localCounts(stateDir, appId);
  }, 600_000);

  describe.each([
    { scenario: 'SIGKILL', app: () => afterKill, counts: () => afterKillCounts, rounds: 2 },
    { scenario: 'a clean close', app: () => afterClose, counts: () => afterCloseCounts, rounds: 3 },
  ])('after $scenario', ({ app, counts, rounds }) => {
    it('should never crash the restarted process nor treat the damage as a bad record', () => {
      expect(app().exit).toEqual({ code: 0, signal: null }); // it ran until the test closed it
      expect(app().errors).toEqual([]);
    });

    it.each(DAMAGES.map((damage, partition) => ({ damage, partition })))(
      'should end with the right content after $damage',
      ({ damage, partition }: { damage: Damage; partition: number }) => {
        const restore = app().restores.find((r) => r.partition === partition);
        if (damage === 'a deleted lock file') {
          // Nothing of the data was lost: the store catches up from its own offset, no rebuild is needed.
          expect(restore === undefined || restore.startOffset > 0).toBe(true);
        } else {
          // Rebuilt: restored from the beginning of its changelog.
          expect(restore, `restoration of task 0_${partition}`).toBeDefined();
          expect(restore!.startOffset).toBe(0);
          expect(restore!.endOffset).toBeGreaterThan(0);
        }
        if (damage !== 'a deleted task directory' && damage !== 'a deleted lock file') {
          const why = app().warnings.filter((w) => w.includes(join(taskDir(partition), 'lmdb')));
          expect(why.join('\n')).toMatch(/is unreadable .*deleting it and starting empty/);
        }
        expect(counts().get(`0_${partition}`)).toEqual(expectedCounts(partition, rounds));
      },
    );
  });

  describe('damaged while running', () => {
    it('should rebuild the store from its changelog, not skip records, and keep the process running', () => {
      expect(whileRunning.exit).toEqual({ code: 0, signal: null });
      const rebuilt = whileRunning.errors.join('\n');
      expect(rebuilt).toContain(`the state of task 0_0 in ${join(taskDir(0), 'lmdb')} is corrupted (MDB_`);
      expect(rebuilt).toMatch(/closing the task, deleting .* and restoring its stores from their changelogs/);
      const again = whileRunning.restores.slice(restoresBeforeDamage).filter((r) => r.partition === 0);
      expect(again.map((r) => r.startOffset)).toContain(0);
      for (let partition = 0; partition < PARTITIONS; partition++) {
        expect(whileRunningCounts.get(`0_${partition}`), `task 0_${partition}`).toEqual(expectedCounts(partition, 4));
      }
    });
  });
});

describe('a read-only state directory on the real broker', () => {
  // Root ignores file permissions: the application runs as `nobody` where the machine allows it.
  const nobody = 65534;
  const canDropPrivileges =
    process.getuid?.() === 0 && spawnSync(process.execPath, ['-e', ''], { uid: nobody, gid: nobody }).status === 0;

  it('should refuse to run with an error naming the path', async () => {
    expect(canDropPrivileges, 'this test needs root to run the application as nobody').toBe(true);
    const input = uniqueName('ro-in');
    const appId = uniqueName('ro-app');
    await createTopics({ topic: input, partitions: 1 }, { topic: `${input}-out`, partitions: 1 });
    await produce(input, [{ key: 'k', value: 'v', partition: 0 }]);
    const stateDir = tempDir();
    chmodSync(stateDir, 0o555);
    const app = startApp(appId, input, `${input}-out`, stateDir, nobody);
    try {
      // start() rejects (the fixture then exits with the rejection, as an application would).
      await eventually(() => app.state === 'ERROR' || app.exit !== undefined, 120_000, 'the application to fail');
      await eventually(() => app.errors.length > 0, 10_000, 'the error to be logged');
      expect(app.exit?.signal ?? null).toBeNull(); // an error, not a crash
      expect(app.errors.join('\n')).toContain(`the state directory ${join(stateDir, appId)} is not writable (EACCES)`);
      expect(existsSync(join(stateDir, appId))).toBe(false);
    } finally {
      await stopApp(app, 'SIGKILL');
    }
  });
});
