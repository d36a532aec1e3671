// numStreamThreads on the real broker: an instance made by KafkaStreams.fromModule runs its topology on two worker
// threads, each with its own consumer in the group and its own transactional producer; the instance sums their
// counters, pauses and resumes them together, and closes them. Runs as its own process (the workers need the
// TypeScript loader the process runs under).
import { mkdtempSync, rmSync } from 'node:fs';
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
  processed: number;
  paused: boolean;
  threads: ThreadInfo[];
  started: boolean;
  startFailure: { name: string; code: string; message: string; context: { thread: number } } | undefined;
  closed: { ok: boolean; state: string } | undefined;
  errors: string[];
}

function startInstance(args: ThreadsAppArgs, paused = false) {
  const instance: Instance = {
    states: [],
    processed: 0,
    paused: false,
    threads: [],
    started: false,
    startFailure: undefined,
    closed: undefined,
    errors: [],
  };
  const proc = startReplicaProcess(
    'test/fixtures/threads-instance.ts',
    [JSON.stringify(args), ...(paused ? ['paused'] : [])],
    (e: { event: string; [k: string]: unknown }) => {
      if (e.event === 'state') instance.states.push(e['state'] as string);
      if (e.event === 'progress') {
        instance.processed = e['processed'] as number;
        instance.paused = e['paused'] as boolean;
        instance.threads = e['threads'] as ThreadInfo[];
      }
      if (e.event === 'started') instance.started = true;
      if (e.event === 'start-failed') instance.startFailure = e as unknown as Instance['startFailure'];
      if (e.event === 'closed') instance.closed = e as unknown as Instance['closed'];
      if (e.event === 'error') instance.errors.push(e['message'] as string);
    },
  );
  return { instance, proc };
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
      expect(instance.startFailure).toMatchObject({
        name: 'StreamThreadError',
        code: 'KASKADE_STREAM_THREAD',
        context: { thread: 1 },
      });
      expect(instance.startFailure!.message).toBe(
        'stream thread 1: the application module built a different topology in this thread than in the first: it ' +
          'must build the same each time it is called (same arguments, no randomness in names)',
      );
      expect(instance.states).toEqual(['REBALANCING', 'PENDING_ERROR', 'ERROR']);
    } finally {
      await proc.stop('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
