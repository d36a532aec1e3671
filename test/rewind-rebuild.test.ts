// A stateful rewind of a running application (`rewind --to-earliest --state rebuild`), on the real broker, with two
// replicas: a count per key and a count per word behind a repartition (a downstream sub-topology with state of its
// own). After the rewind — and more input — every count equals what a fresh application computes over the same
// input; `--state keep` on the same setup gives the doubled counts, so the comparison can tell the two apart. A
// replica stopped during the rebuild comes back on its old state directory without reviving old counts, and a rebuild
// whose issuer is killed in the middle is completed by issuing it again.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, describeApplication, rewindApplication } from '@kaskade/core';
import type { ProcessingGuarantee } from '@kaskade/core';
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readToEnd } from './kafka-helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `kaskade <args>` as a child process (from the workspace's sources). */
function kaskadeChild(...args: string[]): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=kaskade-source', '--import', 'tsx', 'packages/kaskade/src/cli/kaskade.ts', ...args],
    { cwd: root, env: { ...process.env, KASKADE_BOOTSTRAP_SERVERS: bootstrapServers() }, stdio: 'ignore' },
  );
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const PARTITIONS = 3;
const USERS = 30;
const WORDS = 10;

interface Topics {
  readonly input: string;
  readonly perUser: string;
  readonly perWord: string;
}

function app(
  topics: Topics,
  applicationId: string,
  instanceId: string,
  guarantee: ProcessingGuarantee,
  stateDir = mkdtempSync(join(tmpdir(), 'kaskade-rebuild-')),
): KafkaStreams {
  const builder = new StreamsBuilder();
  const events = builder.stream(topics.input, Consumed.with(Serdes.String(), Serdes.String()));
  events
    .groupByKey()
    .count(Materialized.as('per-user'))
    .toStream()
    .to(topics.perUser, Produced.with(Serdes.String(), Serdes.Int64()));
  events
    .groupBy((_user, word) => word, Grouped.with(Serdes.String(), Serdes.String()).withName('by-word'))
    .count(Materialized.as('per-word'))
    .toStream()
    .to(topics.perWord, Produced.with(Serdes.String(), Serdes.Int64()));
  dirs.push(stateDir);
  return new KafkaStreams(builder.build(), {
    applicationId,
    bootstrapServers: bootstrapServers(),
    instanceId,
    stateDir,
    processingGuarantee: guarantee,
    commitIntervalMs: 100,
    logger: quiet,
  });
}

/** Record i: user u(i % 30), word w(i*7 % 10) — every user and word occurs in every batch. */
const batch = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { key: `u${i % USERS}`, value: `w${(i * 7) % WORDS}`, partition: i % PARTITIONS };
  });

type Counts = { readonly perUser: Map<string, number>; readonly perWord: Map<string, number> };

/** What a count computes over the records, `times` times over. */
function countsOf(records: readonly { key: string; value: string }[][]): Counts {
  const perUser = new Map<string, number>();
  const perWord = new Map<string, number>();
  for (const r of records.flat()) {
    perUser.set(r.key, (perUser.get(r.key) ?? 0) + 1);
    perWord.set(r.value, (perWord.get(r.value) ?? 0) + 1);
  }
  return { perUser, perWord };
}

/** Both outputs' last counts, read at the same time (with `settleMs`: watching that long for more). */
async function bothCounts(topics: Topics, settleMs?: number): Promise<Counts> {
  const [perUser, perWord] = await Promise.all([
    lastCounts(topics.perUser, settleMs),
    lastCounts(topics.perWord, settleMs),
  ]);
  return { perUser, perWord };
}

/** The last count per key in a count's output topic (read_committed, to its end). */
async function lastCounts(topic: string, settleMs?: number): Promise<Map<string, number>> {
  const out = await readToEnd(topic, { isolation: 'read_committed', ...(settleMs === undefined ? {} : { settleMs }) });
  const last = new Map<string, number>();
  for (const m of out) last.set(String(m.key), Number(m.value!.readBigInt64BE(0)));
  return last;
}

const plain = (c: Counts) => ({
  perUser: Object.fromEntries([...c.perUser].sort()),
  perWord: Object.fromEntries([...c.perWord].sort()),
});

/** Waits until both outputs show `expected`, then checks they stay so (nothing counted late). */
async function expectFinalCounts(topics: Topics, expected: Counts, what: string): Promise<Counts> {
  let seen: Counts = { perUser: new Map(), perWord: new Map() };
  const same = () => JSON.stringify(plain(seen)) === JSON.stringify(plain(expected));
  try {
    await eventually(
      async () => {
        seen = await bothCounts(topics);
        return same();
      },
      120_000,
      what,
    );
  } catch (e) {
    expect(plain(seen), `${what}: ${(e as Error).message}`).toEqual(plain(expected));
  }
  await new Promise((r) => setTimeout(r, 2000));
  seen = await bothCounts(topics, 2500);
  expect(plain(seen)).toEqual(plain(expected));
  return seen;
}

async function newTopics(prefix: string): Promise<Topics> {
  const topics = {
    input: uniqueName(`${prefix}-in`),
    perUser: uniqueName(`${prefix}-user`),
    perWord: uniqueName(`${prefix}-word`),
  };
  await createTopics(
    { topic: topics.input, partitions: PARTITIONS },
    { topic: topics.perUser, partitions: PARTITIONS },
    { topic: topics.perWord, partitions: PARTITIONS },
  );
  return topics;
}

/**
 * Two replicas count batch 1; the rewind to the earliest offsets is issued while they run; batch 2 follows at once.
 * Returns the final counts and the outputs' topics.
 */
async function rewindWhileRunning(
  prefix: string,
  state: 'keep' | 'rebuild',
  guarantee: ProcessingGuarantee,
  expected: (first: Counts, both: Counts) => Counts,
): Promise<{ topics: Topics; final: Counts; first: ReturnType<typeof batch>; second: ReturnType<typeof batch> }> {
  const topics = await newTopics(prefix);
  const appId = uniqueName(`${prefix}-app`);
  const [first, second] = [batch(0, 600), batch(600, 300)];
  await produce(topics.input, first);
  const replicas = [app(topics, appId, 'a', guarantee), app(topics, appId, 'b', guarantee)];
  try {
    await Promise.all(replicas.map((r) => r.start()));
    await eventually(
      () => replicas.every((r) => r.state === 'RUNNING' && r.metrics().activeTasks.length > 0),
      60_000,
      'both replicas RUNNING with tasks',
    );
    await expectFinalCounts(topics, countsOf([first]), 'batch 1 counted');

    const command = await rewindApplication({
      applicationId: appId,
      bootstrapServers: bootstrapServers(),
      toEarliest: true,
      state,
      by: 'test',
    });
    expect(command.state).toBe(state);
    if (state === 'keep') {
      // A keep rewind is applied by each replica when it reads the command: batch 2 waits until batch 1 has been
      // counted again, or records of it processed before the rewind would be counted twice too.
      const doubled = countsOf([first, first]);
      await expectFinalCounts(topics, doubled, 'batch 1 counted twice');
    }
    await produce(topics.input, second);
    const final = await expectFinalCounts(
      topics,
      expected(countsOf([first]), countsOf([first, second])),
      `counts after the rewind (${state})`,
    );
    expect(replicas.map((r) => r.state)).toEqual(['RUNNING', 'RUNNING']);
    expect(replicas.some((r) => r.isPaused())).toBe(false);
    const status = await describeApplication({ applicationId: appId, bootstrapServers: bootstrapServers() });
    expect(status.rewind?.id).toBe(command.id);
    // The rebuild paused the application and resumed it.
    if (state === 'rebuild') expect(status.desiredState?.paused).toBe(false);
    return { topics, final, first, second };
  } finally {
    await Promise.all(replicas.map((r) => r.close()));
  }
}

describe('rewind with state rebuild', () => {
  it.each(['at_least_once', 'exactly_once_v2'] as const)(
    'should count as a fresh application does after a rebuild of two running replicas (%s)',
    async (guarantee) => {
      const { final, first, second } = await rewindWhileRunning('rb', 'rebuild', guarantee, (_first, both) => both);
      // A fresh application over the same input: the same counts, key for key.
      const freshTopics = await newTopics('rb-fresh');
      const freshApp = app(freshTopics, uniqueName('rb-fresh-app'), 'f', guarantee);
      try {
        await produce(freshTopics.input, [...first, ...second]);
        await freshApp.start();
        const freshCounts = await expectFinalCounts(freshTopics, countsOf([first, second]), 'the fresh application');
        expect(plain(final)).toEqual(plain(freshCounts));
        expect(final.perUser.size).toBe(USERS);
        expect(final.perWord.size).toBe(WORDS);
      } finally {
        await freshApp.close();
      }
    },
  );

  it('should count the rewound records twice with state keep (the test tells the two apart)', async () => {
    const { final } = await rewindWhileRunning('rk', 'keep', 'at_least_once', (first, both) => ({
      perUser: new Map([...both.perUser].map(([k, n]) => [k, n + first.perUser.get(k)!])),
      perWord: new Map([...both.perWord].map(([k, n]) => [k, n + first.perWord.get(k)!])),
    }));
    expect([...final.perUser.values()].reduce((a, b) => a + b)).toBe(600 * 2 + 300);
  });

  it('should rebuild a replica that was stopped during the rewind from nothing of its old local state', async () => {
    const topics = await newTopics('rs');
    const appId = uniqueName('rs-app');
    const [first, second] = [batch(0, 600), batch(600, 300)];
    await produce(topics.input, first);
    const bDir = mkdtempSync(join(tmpdir(), 'kaskade-rebuild-'));
    const a = app(topics, appId, 'a', 'at_least_once');
    let b = app(topics, appId, 'b', 'at_least_once', bDir);
    const running = [a, b];
    try {
      await Promise.all(running.map((r) => r.start()));
      await eventually(() => a.metrics().activeTasks.length > 0 && b.metrics().activeTasks.length > 0, 60_000, 'tasks');
      await expectFinalCounts(topics, countsOf([first]), 'batch 1 counted');
      // b stops with its stores on disk (counts of batch 1); the rebuild happens without it.
      await b.close();
      running.pop();
      await rewindApplication({
        applicationId: appId,
        bootstrapServers: bootstrapServers(),
        toEarliest: true,
        state: 'rebuild',
        by: 'test',
      });
      await expectFinalCounts(topics, countsOf([first]), 'batch 1 counted again from empty state by a alone');
      // b comes back on its old state directory and takes tasks over; batch 2 follows.
      b = app(topics, appId, 'b', 'at_least_once', bDir);
      running.push(b);
      await b.start();
      await eventually(() => b.metrics().activeTasks.length > 0, 60_000, 'b with tasks again');
      await produce(topics.input, second);
      await expectFinalCounts(topics, countsOf([first, second]), 'counts after b came back');
    } finally {
      await Promise.all(running.map((r) => r.close()));
    }
  });

  it('should complete a rebuild whose issuer was killed in the middle when it is issued again', async () => {
    const topics = await newTopics('rc');
    const appId = uniqueName('rc-app');
    const [first, second] = [batch(0, 600), batch(600, 300)];
    await produce(topics.input, first);
    const replicas = [app(topics, appId, 'a', 'exactly_once_v2'), app(topics, appId, 'b', 'exactly_once_v2')];
    try {
      await Promise.all(replicas.map((r) => r.start()));
      await expectFinalCounts(topics, countsOf([first]), 'batch 1 counted');
      // The CLI is killed as soon as the application is paused: somewhere between the pause and the resume.
      const cli = kaskadeChild('rewind', '--application-id', appId, '--to-earliest', '--state', 'rebuild');
      await eventually(() => replicas.every((r) => r.isPaused()), 30_000, 'the application paused by the CLI');
      cli.kill('SIGKILL');
      await new Promise((r) => cli.once('close', r));
      const status = await describeApplication({ applicationId: appId, bootstrapServers: bootstrapServers() });
      expect(status.desiredState?.paused).toBe(true);
      // Issued again: done, and resumed (only the killed rewind had paused it).
      await rewindApplication({
        applicationId: appId,
        bootstrapServers: bootstrapServers(),
        toEarliest: true,
        state: 'rebuild',
        by: 'test',
      });
      await produce(topics.input, second);
      await expectFinalCounts(topics, countsOf([first, second]), 'counts after the retried rebuild');
      expect(replicas.some((r) => r.isPaused())).toBe(false);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });
});
