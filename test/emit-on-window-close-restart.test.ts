// An emit-on-window-close windowed count whose instance is stopped in the middle and started again: every closed window
// is emitted exactly once across the restart — no window emitted again (the last emitted close time is committed with
// the offsets as processor metadata and read back), none skipped. Closed cleanly under at-least-once; SIGKILLed
// under exactly-once (its open transaction, with any windows it emitted, is aborted and redone).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '@kaskade/core/internal';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic } from './kafka-helpers.js';
import { startReplicaProcess } from './replica-process.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

type Guarantee = 'at_least_once' | 'exactly_once_v2';
interface Instance {
  readonly child: ChildProcess;
  readonly states: string[];
}

function startInstance(appId: string, input: string, output: string, stateDir: string, g: Guarantee): Instance {
  const args = [bootstrapServers(), appId, input, output, stateDir, g];
  const states: string[] = [];
  const { proc: child } = startReplicaProcess('test/fixtures/emit-final-replica.ts', args, (e) => {
    if (e.event === 'state') states.push(e.state as string);
  });
  children.push(child);
  const instance: Instance = { child, states };
  return instance;
}

const exited = (i: Instance) =>
  new Promise((resolve) =>
    i.child.exitCode !== null || i.child.signalCode !== null ? resolve(null) : i.child.once('exit', resolve),
  );

const PARTITIONS = 2;
const KEYS = 3;
const SIZE = 10_000;
const GRACE = 5_000;

interface In {
  readonly key: string;
  readonly partition: number;
  readonly timestamp: number;
}

/** Records 1 s apart per partition, keys k0..k2 on partition p's own keys (`p<p>-k<n>`). */
function records(base: number, from: number, to: number): In[] {
  const out: In[] = [];
  for (let i = from; i < to; i++) {
    for (let p = 0; p < PARTITIONS; p++)
      out.push({ key: `p${p}-k${i % KEYS}`, partition: p, timestamp: base + i * 1000 });
  }
  return out;
}

/** `key@start` → count of every window closed by its partition's stream time (end + grace <= stream time). */
function closedWindows(input: readonly In[]): Map<string, string> {
  const streamTime = new Map<number, number>();
  for (const r of input) streamTime.set(r.partition, Math.max(streamTime.get(r.partition) ?? -1, r.timestamp));
  const counts = new Map<string, number>();
  for (const r of input) {
    const start = r.timestamp - (r.timestamp % SIZE);
    if (start + SIZE + GRACE > streamTime.get(r.partition)!) continue;
    const k = `${r.key}@${start}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return new Map([...counts].map(([k, n]) => [k, String(n)]));
}

function emitted(messages: readonly ConsumedMessage[]): string[] {
  return messages.map((m) => `${String(m.key)}=${String(m.value)}`).sort();
}

async function restartInTheMiddle(guarantee: Guarantee): Promise<void> {
  const tag = guarantee === 'exactly_once_v2' ? 'eos' : 'alos';
  const [input, output, appId] = [uniqueName(`ewc-${tag}-in`), uniqueName(`ewc-${tag}-out`), uniqueName(`ewc-${tag}`)];
  await createTopics({ topic: input, partitions: PARTITIONS }, { topic: output, partitions: PARTITIONS });
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-ewc-'));
  dirs.push(stateDir);
  // Window starts aligned to 10 s, so the expected windows are the same whatever the clock says.
  const base = Math.floor((Date.now() - 3_600_000) / SIZE) * SIZE;
  const isolation = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';
  const read = (n: number, timeoutMs = 120_000) =>
    readTopic(output, (all) => all.length >= n, { isolation, timeoutMs });

  const first = records(base, 0, 60);
  await produce(
    input,
    first.map((r) => ({ ...r, value: 'v' })),
  );
  const a = startInstance(appId, input, output, stateDir, guarantee);
  const firstWindows = closedWindows(first);
  expect(emitted(await read(firstWindows.size))).toEqual([...firstWindows].map(([k, v]) => `${k}=${v}`).sort());

  const second = records(base, 60, 120);
  const all = [...first, ...second];
  const allWindows = closedWindows(all);
  if (guarantee === 'exactly_once_v2') {
    // Killed while it works on the second half: once some of its windows are committed, with more records arriving
    // (its open transaction, with whatever it emitted since the last commit, is aborted) and more after the kill.
    await produce(
      input,
      records(base, 60, 90).map((r) => ({ ...r, value: 'v' })),
    );
    await read(firstWindows.size + 1);
    await produce(
      input,
      records(base, 90, 100).map((r) => ({ ...r, value: 'v' })),
    );
    a.child.kill('SIGKILL');
    await exited(a);
    await produce(
      input,
      records(base, 100, 120).map((r) => ({ ...r, value: 'v' })),
    );
  } else {
    // Closed cleanly (it commits, with the processor metadata), then the second half arrives while it is down.
    a.child.kill('SIGTERM');
    await exited(a);
    await produce(
      input,
      second.map((r) => ({ ...r, value: 'v' })),
    );
  }
  const b = startInstance(appId, input, output, stateDir, guarantee);
  await eventually(() => b.states.includes('RUNNING'), 120_000, 'the restarted instance RUNNING');
  await read(allWindows.size);
  // Settle: nothing more arrives (no window emitted a second time after the restart).
  await new Promise((r) => setTimeout(r, 4000));
  const out = await read(allWindows.size + 1, 5000);
  expect(out.length).toBe(allWindows.size);
  expect(emitted(out)).toEqual([...allWindows].map(([k, v]) => `${k}=${v}`).sort());
  b.child.kill('SIGTERM');
  await exited(b);
}

describe('emit on window close across a restart', () => {
  it('should emit every closed window exactly once when the instance is closed and restarted (at-least-once)', async () => {
    await restartInTheMiddle('at_least_once');
  });

  it('should emit every closed window exactly once when the instance is SIGKILLed and restarted (exactly-once)', async () => {
    await restartInTheMiddle('exactly_once_v2');
  });
});
