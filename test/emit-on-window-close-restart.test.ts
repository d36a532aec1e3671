// An emit-on-window-close windowed count whose instance is stopped in the middle and started again: every closed window
// is emitted exactly once across the restart — no window emitted again (the last emitted close time is committed with
// the offsets as processor metadata and read back), none skipped. Closed cleanly under at-least-once; SIGKILLed
// under exactly-once (its open transaction, with any windows it emitted, is aborted and redone). Time windows under
// both; session windows (found by end time across keys in the session store) closed cleanly. A rewind, by contrast, is
// a reprocess: the closed windows are emitted again.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rewindApplication } from '@kaskade/core';
import type { ConsumedMessage } from '@kaskade/core/internal';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readToEnd, readTopic } from './kafka-helpers.js';
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

type Kind = 'time' | 'session';

function startInstance(
  appId: string,
  input: string,
  output: string,
  stateDir: string,
  g: Guarantee,
  kind: Kind,
): Instance {
  const args = [bootstrapServers(), appId, input, output, stateDir, g, kind];
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
function timeRecords(base: number, from: number, to: number): In[] {
  const out: In[] = [];
  for (let i = from; i < to; i++) {
    for (let p = 0; p < PARTITIONS; p++)
      out.push({ key: `p${p}-k${i % KEYS}`, partition: p, timestamp: base + i * 1000 });
  }
  return out;
}

/** Records of {@link records} in bursts: 6 s of records, 6 s without; a key's records of one burst are 3 s apart. */
function sessionRecords(base: number, from: number, to: number): In[] {
  return timeRecords(base, from, to).filter((r) => Math.floor((r.timestamp - base) / 6000) % 2 === 0);
}

const GAP = 3_000;
const SESSION_GRACE = 2_000;

/** `key@start/end` → count of every session closed by its partition's stream time (end < stream time - grace - gap). */
function closedSessions(input: readonly In[]): Map<string, string> {
  const streamTime = new Map<number, number>();
  for (const r of input) streamTime.set(r.partition, Math.max(streamTime.get(r.partition) ?? -1, r.timestamp));
  const sessions = new Map<string, { start: number; end: number; count: number }[]>();
  for (const r of input) {
    const list = sessions.get(r.key) ?? [];
    sessions.set(r.key, list);
    const last = list.at(-1);
    if (last !== undefined && r.timestamp - last.end <= GAP) {
      last.end = r.timestamp;
      last.count++;
    } else list.push({ start: r.timestamp, end: r.timestamp, count: 1 });
  }
  const closed = new Map<string, string>();
  for (const [key, list] of sessions) {
    const close = streamTime.get(input.find((r) => r.key === key)!.partition)! - SESSION_GRACE - GAP;
    for (const s of list) if (s.end < close) closed.set(`${key}@${s.start}/${s.end}`, String(s.count));
  }
  return closed;
}

/** `key@start` → count of every window closed by its partition's stream time (end + grace <= stream time). */
function closedTimeWindows(input: readonly In[]): Map<string, string> {
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

/** `rewind`: then rewind it while it runs, or before it starts again (see {@link rewindAndReprocess}). */
async function restartInTheMiddle(
  guarantee: Guarantee,
  kind: Kind = 'time',
  rewind?: 'running' | 'stopped',
): Promise<void> {
  const tag = `${guarantee === 'exactly_once_v2' ? 'eos' : 'alos'}-${kind}`;
  const records = kind === 'session' ? sessionRecords : timeRecords;
  const closedWindows = kind === 'session' ? closedSessions : closedTimeWindows;
  const [input, output, appId] = [uniqueName(`ewc-${tag}-in`), uniqueName(`ewc-${tag}-out`), uniqueName(`ewc-${tag}`)];
  await createTopics({ topic: input, partitions: PARTITIONS }, { topic: output, partitions: PARTITIONS });
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-ewc-'));
  dirs.push(stateDir);
  // Window starts aligned to 10 s, so the expected windows are the same whatever the clock says.
  const base = Math.floor((Date.now() - 3_600_000) / SIZE) * SIZE;
  const isolation = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';
  const read = (n: number) => readTopic(output, (all) => all.length >= n, { isolation, timeoutMs: 120_000 });
  const readAll = () => readToEnd(output, { isolation, settleMs: 5000 });

  const first = records(base, 0, 60);
  await produce(
    input,
    first.map((r) => ({ ...r, value: 'v' })),
  );
  const a = startInstance(appId, input, output, stateDir, guarantee, kind);
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
  const b = startInstance(appId, input, output, stateDir, guarantee, kind);
  await eventually(() => b.states.includes('RUNNING'), 120_000, 'the restarted instance RUNNING');
  await read(allWindows.size);
  // Settle: nothing more arrives (no window emitted a second time after the restart).
  await new Promise((r) => setTimeout(r, 4000));
  const out = await readAll();
  expect(out.length).toBe(allWindows.size);
  expect(emitted(out)).toEqual([...allWindows].map(([k, v]) => `${k}=${v}`).sort());
  b.child.kill('SIGTERM');
  await exited(b);
  if (rewind)
    await rewindAndReprocess({ kind, appId, input, output, stateDir, read, readAll }, allWindows, rewind === 'running');
}

/**
 * Then a rewind to the start (state kept), of the running instance or before it starts: the rewind commits the new offsets without the processor
 * metadata, so the reprocess starts with no window emitted yet and each window closes, and is emitted, again — with
 * the last emitted close time kept, the rewound input's windows would never be emitted (their close times are behind
 * it). The store was kept, so the counts double (`state: 'keep'` is for idempotent steps).
 */
async function rewindAndReprocess(run: Run, windows: Map<string, string>, running: boolean): Promise<void> {
  const rewind = () =>
    rewindApplication({ applicationId: run.appId, bootstrapServers: bootstrapServers(), toEarliest: true, by: 'test' });
  // Issued while no instance runs: applied as the partitions are assigned, after their tasks were initialized.
  if (!running) await rewind();
  const c = startInstance(run.appId, run.input, run.output, run.stateDir, 'at_least_once', run.kind);
  await eventually(() => c.states.includes('RUNNING'), 120_000, 'the instance RUNNING');
  if (running) await rewind();
  const before = [...windows].map(([k, v]) => `${k}=${v}`);
  const again = [...windows].map(([k, v]) => `${k}=${2 * Number(v)}`);
  await run.read(2 * windows.size);
  await new Promise((r) => setTimeout(r, 3000)); // settle: nothing more arrives
  const out = await run.readAll();
  expect(emitted(out)).toEqual([...before, ...again].sort());
  c.child.kill('SIGTERM');
  await exited(c);
}

interface Run {
  readonly kind: Kind;
  readonly appId: string;
  readonly input: string;
  readonly output: string;
  readonly stateDir: string;
  readonly read: (n: number) => Promise<ConsumedMessage[]>;
  /** Everything in the output up to its end now. */
  readonly readAll: () => Promise<ConsumedMessage[]>;
}

describe('emit on window close across a restart', () => {
  it('should emit every closed window exactly once when the instance is closed and restarted, and again after a rewind (at-least-once)', async () => {
    await restartInTheMiddle('at_least_once', 'time', 'running');
  });

  it('should emit every closed window exactly once when the instance is SIGKILLed and restarted (exactly-once)', async () => {
    await restartInTheMiddle('exactly_once_v2');
  });

  it('should emit every closed session exactly once when the instance is closed and restarted, and again after a rewind (at-least-once)', async () => {
    await restartInTheMiddle('at_least_once', 'session', 'stopped');
  });
});
