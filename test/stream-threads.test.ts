// numStreamThreads on the real broker: an instance made by KafkaStreams.fromModule runs its topology on two worker
// threads, each with its own consumer in the group and its own transactional producer; the instance sums their
// counters, pauses and resumes them together, and closes them. Runs as its own process (the workers need the
// TypeScript loader the process runs under).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic, str } from './kafka-helpers.js';
import type { ThreadsAppArgs } from './fixtures/threads-app.js';
import { startReplicaProcess } from './replica-process.js';

interface ThreadInfo {
  readonly threadName: string;
  readonly threadState: string;
  readonly activeTasks: readonly string[];
}

interface Instance {
  states: string[];
  /** The instance's error, as its last state change reported it. */
  error: string | undefined;
  processed: number;
  paused: boolean;
  threads: ThreadInfo[];
  started: boolean;
  serverUrl: string | undefined;
  startFailure: { name: string; code: string; message: string; context: { thread: number } } | undefined;
  closed: { ok: boolean; state: string } | undefined;
  errors: string[];
}

function startInstance(args: ThreadsAppArgs, paused = false) {
  const instance: Instance = {
    states: [],
    error: undefined,
    processed: 0,
    paused: false,
    threads: [],
    started: false,
    serverUrl: undefined,
    startFailure: undefined,
    closed: undefined,
    errors: [],
  };
  const proc = startReplicaProcess(
    'test/fixtures/threads-instance.ts',
    [JSON.stringify(args), ...(paused ? ['paused'] : [])],
    (e: { event: string; [k: string]: unknown }) => {
      if (e.event === 'state') {
        instance.states.push(e['state'] as string);
        instance.error = e['error'] as string | undefined;
      }
      if (e.event === 'progress') {
        instance.processed = e['processed'] as number;
        instance.paused = e['paused'] as boolean;
        instance.threads = e['threads'] as ThreadInfo[];
      }
      if (e.event === 'started') {
        instance.started = true;
        instance.serverUrl = e['serverUrl'] as string | undefined;
      }
      if (e.event === 'start-failed') instance.startFailure = e as unknown as Instance['startFailure'];
      if (e.event === 'closed') instance.closed = e as unknown as Instance['closed'];
      if (e.event === 'error') instance.errors.push(e['message'] as string);
    },
  );
  return { instance, proc };
}

/** The worker processes of the instance process `pid`, by thread number (their KASKADE_STREAM_THREAD). */
function workerProcesses(pid: number): Map<number, number> {
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return new Map(); // pgrep exits 1 when there is none
  }
  const byThread = new Map<number, number>();
  for (const child of children) {
    const env = readFileSync(`/proc/${child}/environ`, 'utf8').split('\0');
    const thread = env.find((v) => v.startsWith('KASKADE_STREAM_THREAD='))?.split('=')[1];
    if (thread !== undefined) byThread.set(Number(thread), child);
  }
  return byThread;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function threadsArgs(prefix: string, stateDir: string, overrides: Partial<ThreadsAppArgs> = {}): ThreadsAppArgs {
  return {
    bootstrapServers: bootstrapServers(),
    applicationId: uniqueName(`${prefix}-app`),
    instanceId: prefix,
    input: uniqueName(`${prefix}-in`),
    output: uniqueName(`${prefix}-out`),
    stateDir,
    threads: 2,
    processingGuarantee: 'at_least_once',
    ...overrides,
  };
}

describe('stream threads (numStreamThreads, broker)', () => {
  it('should spread the tasks over two threads, process every record exactly once, pause and resume them together, and close', async () => {
    const input = uniqueName('threads-in');
    const output = uniqueName('threads-out');
    const applicationId = uniqueName('threads-app');
    await createTopics({ topic: input, partitions: 4 }, { topic: output, partitions: 4 });
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-threads-'));
    const keys = 100;
    const perKey = 200;
    const args: ThreadsAppArgs = {
      bootstrapServers: bootstrapServers(),
      applicationId,
      instanceId: 'threads-test',
      input,
      output,
      stateDir,
      threads: 2,
      processingGuarantee: 'exactly_once_v2',
      server: true,
    };
    const { instance, proc } = startInstance(args, true);
    try {
      await eventually(() => instance.started, 60_000, 'the instance to start');
      // Paused: both threads join the group and get tasks, and nothing is processed.
      await eventually(
        () => instance.threads.length === 2 && instance.threads.every((t) => t.activeTasks.length > 0),
        60_000,
        'both threads to get tasks',
      );
      const records = [];
      for (let i = 0; i < keys * perKey; i++) records.push({ key: `k${i % keys}`, value: 'x' });
      await produce(input, records);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(instance.processed).toBe(0);
      expect(instance.paused).toBe(true);

      proc.proc.kill('SIGUSR2');
      await eventually(() => instance.processed === keys * perKey, 120_000, 'every record to be processed');
      await eventually(() => instance.states.at(-1) === 'RUNNING', 30_000, 'the instance to be RUNNING');
      expect(instance.paused).toBe(false);

      // Two threads, named as Kafka Streams names them, each running its own share of the four tasks.
      const threads = instance.threads;
      expect(threads.map((t) => t.threadName)).toEqual([
        `${applicationId}-threads-test-StreamThread-1`,
        `${applicationId}-threads-test-StreamThread-2`,
      ]);
      expect(threads.map((t) => t.threadState)).toEqual(['RUNNING', 'RUNNING']);
      expect(threads.every((t) => t.activeTasks.length > 0)).toBe(true);
      expect([...threads[0]!.activeTasks, ...threads[1]!.activeTasks].sort()).toEqual(['0_0', '0_1', '0_2', '0_3']);

      // Exactly once: the last committed count of every key is its number of records, and no count appears twice.
      const out = await readTopic(output, (all) => all.filter((m) => str(m.value) === String(perKey)).length >= keys, {
        isolation: 'read_committed',
      });
      const last = new Map<string, string>();
      const seen = new Set<string>();
      let repeated = 0;
      for (const m of out) {
        const id = `${str(m.key)}=${str(m.value)}`;
        if (seen.has(id)) repeated++;
        seen.add(id);
        last.set(str(m.key)!, str(m.value)!);
      }
      expect(last.size).toBe(keys);
      expect([...last.values()].every((v) => v === String(perKey))).toBe(true);
      expect(repeated).toBe(0);

      // One server for the instance: its status lists every thread's tasks under the summed totals, and /metrics
      // aggregates each thread's registry (each thread's series labelled with its own instance id).
      const status = (await (await fetch(`${instance.serverUrl!}/api/status`)).json()) as {
        state: string;
        ready: boolean;
        totals: { processed: number };
        tasks: { id: string; processed: number }[];
      };
      expect(status).toMatchObject({ state: 'RUNNING', ready: true, totals: { processed: keys * perKey } });
      expect(status.tasks.map((t) => t.id)).toEqual(['0_0', '0_1', '0_2', '0_3']);
      expect(status.tasks.reduce((n, t) => n + t.processed, 0)).toBe(keys * perKey);
      expect((await fetch(`${instance.serverUrl!}/health/ready`)).status).toBe(200);
      const metrics = await (await fetch(`${instance.serverUrl!}/metrics`)).text();
      const processed = [...metrics.matchAll(/^kaskade_records_processed_total\{([^}]*)\} (\d+)$/gm)].map((m) => ({
        labels: m[1]!,
        value: Number(m[2]),
      }));
      expect(processed.map((p) => /instance_id="([^"]+)"/.exec(p.labels)?.[1]).sort()).toEqual([
        'threads-test-1',
        'threads-test-2',
      ]);
      expect(processed.reduce((n, p) => n + p.value, 0)).toBe(keys * perKey);

      await proc.stop('SIGTERM');
      expect(instance.closed).toMatchObject({ ok: true, state: 'NOT_RUNNING' });
      expect(proc.exit?.code).toBe(0);
      expect(instance.errors).toEqual([]);
    } finally {
      await proc.stop('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('should fail start with a StreamThreadError naming the thread when the module builds another topology there', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-threads-'));
    const { instance, proc } = startInstance({
      bootstrapServers: bootstrapServers(),
      applicationId: uniqueName('threads-bad'),
      instanceId: 'threads-bad',
      input: uniqueName('threads-bad-in'),
      output: uniqueName('threads-bad-out'),
      stateDir,
      threads: 2,
      processingGuarantee: 'at_least_once',
      differentInThreads: true,
    });
    try {
      await eventually(() => proc.exit !== undefined, 60_000, 'the instance process to exit');
      expect(proc.exit?.code).toBe(3);
      // Both threads build another topology: the one whose check fails first is the instance's error (the other may
      // be ended before its own check), and start() rejects with it too.
      expect(instance.startFailure).toMatchObject({ name: 'StreamThreadError', code: 'KASKADE_STREAM_THREAD' });
      const thread = instance.startFailure!.context.thread;
      expect([1, 2]).toContain(thread);
      expect(instance.startFailure!.message).toBe(
        `stream thread ${thread}: the application module built a different topology in this thread than in the ` +
          'first: it must build the same each time it is called (same arguments, no randomness in names)',
      );
      expect(instance.states).toEqual(['REBALANCING', 'PENDING_ERROR', 'ERROR']);
      // The instance's error is the thread's own, not the exit of its process that followed.
      expect(instance.error).toBe(instance.startFailure!.message);
    } finally {
      await proc.stop('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('should go to ERROR naming the thread when the worker process of a thread dies, and close the other thread', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-threads-'));
    const args = threadsArgs('threads-die', stateDir);
    await createTopics({ topic: args.input, partitions: 4 }, { topic: args.output, partitions: 4 });
    const { instance, proc } = startInstance(args);
    try {
      await eventually(
        () => instance.states.at(-1) === 'RUNNING' && instance.threads.every((t) => t.activeTasks.length > 0),
        60_000,
        'both threads to run tasks',
      );
      const workers = workerProcesses(proc.proc.pid!);
      expect([...workers.keys()].sort()).toEqual([1, 2]);
      process.kill(workers.get(2)!, 'SIGKILL');
      await eventually(() => instance.states.at(-1) === 'ERROR', 60_000, 'the instance to go to ERROR');
      expect(instance.states.slice(-2)).toEqual(['PENDING_ERROR', 'ERROR']);
      expect(instance.error).toBe('stream thread 2: its worker process exited (SIGKILL)');
      // The other thread was closed (it committed and left the group), and its process ended.
      await eventually(() => !alive(workers.get(1)!), 30_000, 'thread 1 to end');
      expect(proc.exit).toBeUndefined(); // the instance itself stays, in ERROR, until closed
      await proc.stop('SIGTERM');
      expect(instance.closed).toMatchObject({ ok: true, state: 'NOT_RUNNING' }); // ERROR → PENDING_SHUTDOWN → NOT_RUNNING, as Kafka Streams
    } finally {
      await proc.stop('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('should close at once when closed while its threads start, ending the ones still loading the module', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-threads-'));
    const args = threadsArgs('threads-early-close', stateDir, { loadDelayMs: 60_000 });
    await createTopics({ topic: args.input, partitions: 2 }, { topic: args.output, partitions: 2 });
    const { instance, proc } = startInstance(args);
    try {
      await eventually(() => workerProcesses(proc.proc.pid!).size === 2, 30_000, 'the worker processes to start');
      const workers = [...workerProcesses(proc.proc.pid!).values()];
      // Within 30 s (stop's bound), so not after the 60 s the module takes to load.
      await proc.stop('SIGTERM', 30_000);
      expect(instance.startFailure).toMatchObject({
        name: 'IllegalStateError',
        message: 'start() was abandoned: close() was called while the stream threads started',
      });
      expect(instance.closed).toMatchObject({ ok: true, state: 'NOT_RUNNING' });
      expect(instance.error).toBeUndefined();
      expect(workers.filter(alive)).toEqual([]);
    } finally {
      await proc.stop('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('should end its worker processes when the instance process is killed while the module loads', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-threads-'));
    const args = threadsArgs('threads-orphan-loading', stateDir, { loadDelayMs: 60_000 });
    const { proc } = startInstance(args);
    try {
      await eventually(() => workerProcesses(proc.proc.pid!).size === 2, 30_000, 'the worker processes to start');
      const workers = [...workerProcesses(proc.proc.pid!).values()];
      await proc.stop('SIGKILL');
      await eventually(() => workers.every((pid) => !alive(pid)), 10_000, 'the worker processes to end');
    } finally {
      await proc.stop('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('should end its worker processes when the instance process is killed', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-threads-'));
    const args = threadsArgs('threads-orphan', stateDir);
    await createTopics({ topic: args.input, partitions: 2 }, { topic: args.output, partitions: 2 });
    const { instance, proc } = startInstance(args);
    try {
      await eventually(() => instance.states.at(-1) === 'RUNNING', 60_000, 'the instance to run');
      const workers = [...workerProcesses(proc.proc.pid!).values()];
      expect(workers).toHaveLength(2);
      await proc.stop('SIGKILL');
      // Their channel to the instance closes: each closes its instance (within 30 s) and exits.
      await eventually(() => workers.every((pid) => !alive(pid)), 40_000, 'the worker processes to end');
    } finally {
      await proc.stop('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
