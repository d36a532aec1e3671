// A replica SIGKILLed while an application-wide rewind is being applied, under exactly-once: no partition is rewound
// twice or not at all — the committed output holds every input record since the rewind point exactly twice (the first
// pass and the rewind) and every earlier one exactly once.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rewindApplication } from '@kaskade/core';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic } from './kafka-helpers.js';
import { startReplicaProcess } from './replica-process.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

interface Replica {
  readonly child: ChildProcess;
  readonly events: { event: string; state?: string; tasks?: string[]; message?: string }[];
}

function startReplica(appId: string, input: string, output: string, instanceId: string): Replica {
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-rewind-kill-'));
  dirs.push(stateDir);
  const args = [bootstrapServers(), appId, input, output, stateDir, instanceId];
  const events: Replica['events'] = [];
  const { proc: child } = startReplicaProcess('test/fixtures/rewind-replica.ts', args, (e) => {
    events.push(e as Replica['events'][number]);
  });
  children.push(child);
  const replica: Replica = { child, events };
  return replica;
}

const running = (r: Replica): boolean => r.events.some((e) => e.event === 'state' && e.state === 'RUNNING');
const PARTITIONS = 4;

describe('rewind with a replica killed in the middle', () => {
  it('should rewind every partition exactly once under exactly-once', async () => {
    const [input, output, appId] = [uniqueName('rwk-in'), uniqueName('rwk-out'), uniqueName('rwk-app')];
    await createTopics({ topic: input, partitions: PARTITIONS }, { topic: output, partitions: PARTITIONS });
    const base = Date.now() - 3_600_000;
    const N = 400;
    const SINCE = 200;
    await produce(
      input,
      Array.from({ length: N }, (_, i) => ({
        key: `k${i}`,
        value: `v${i}`,
        partition: i % PARTITIONS,
        timestamp: base + i * 1000,
      })),
    );
    const a = startReplica(appId, input, output, 'a');
    const b = startReplica(appId, input, output, 'b');
    await eventually(() => running(a) && running(b), 120_000, 'both replicas RUNNING');
    const read = (n: number) =>
      readTopic(output, (all) => all.length >= n, { isolation: 'read_committed', timeoutMs: 120_000 });
    expect(await read(N)).toHaveLength(N);

    await rewindApplication({
      applicationId: appId,
      bootstrapServers: bootstrapServers(),
      toDatetime: base + SINCE * 1000,
      by: 'test',
    });
    // Kill one replica while the command is being picked up (the channel polls every 250 ms): its open transaction is
    // aborted by the broker, and its partitions go to a replica started in its place.
    await new Promise((r) => setTimeout(r, 150));
    b.child.kill('SIGKILL');
    const c = startReplica(appId, input, output, 'c');
    await eventually(() => running(c), 120_000, 'the replacement RUNNING');

    const expectedTotal = N + (N - SINCE);
    const out = await read(expectedTotal);
    // Settle: nothing more arrives (no partition rewound a second time).
    await new Promise((r) => setTimeout(r, 5000));
    const settled = await readTopic(output, (all) => all.length > expectedTotal, {
      isolation: 'read_committed',
      timeoutMs: 3000,
    });
    expect(settled).toHaveLength(expectedTotal);
    const counts = new Map<string, number>();
    for (const m of out) counts.set(String(m.key), (counts.get(String(m.key)) ?? 0) + 1);
    for (let i = 0; i < N; i++) expect(counts.get(`k${i}`), `k${i}`).toBe(i >= SINCE ? 2 : 1);
    const applied = [...a.events, ...b.events, ...c.events].filter((e) => e.event === 'rewind');
    expect(applied.length).toBeGreaterThan(0);
    for (const r of [a, c]) r.child.kill('SIGTERM');
    await Promise.all(
      [a, c].map(
        (r) => new Promise((resolve) => (r.child.exitCode !== null ? resolve(null) : r.child.once('exit', resolve))),
      ),
    );
  });
});
