// Application-wide pause, resume and rewind through the control topic, on the real broker: every replica obeys,
// a replica started later obeys what the topic holds, and a rewind moves each input partition exactly once — on the
// replicas running when it is issued, and on a replica that gets the partition later.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  KafkaStreams,
  Serdes,
  describeApplication,
  pauseApplication,
  resumeApplication,
  rewindApplication,
} from '@kaskade/core';
import { KafkaAdmin } from '@kaskade/core/internal';
import type { ProcessingGuarantee } from '@kaskade/core';
import type { ConsumedMessage } from '@kaskade/core/internal';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic } from './kafka-helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const PARTITIONS = 3;

function replica(
  input: string,
  output: string,
  applicationId: string,
  instanceId: string,
  processingGuarantee: ProcessingGuarantee = 'at_least_once',
): KafkaStreams {
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .mapValues((v) => `seen:${v}`)
    .to(output, Produced.with(Serdes.String(), Serdes.String()));
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-control-'));
  dirs.push(stateDir);
  return new KafkaStreams(builder.build(), {
    applicationId,
    bootstrapServers: bootstrapServers(),
    instanceId,
    stateDir,
    processingGuarantee,
    commitIntervalMs: 100,
    logger: quiet,
  });
}

/** Records in a topic written without transactions (sum of end offsets). */
async function endTotal(topic: string): Promise<number> {
  const admin = KafkaAdmin.create(bootstrapServers());
  try {
    const parts = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }));
    return (await admin.listOffsets(parts, 'latest')).reduce((sum, e) => sum + e.offset, 0);
  } finally {
    admin.close();
  }
}

const records = (from: number, n: number, timestamp?: (i: number) => number) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { key: `k${i}`, value: `v${i}`, partition: i % PARTITIONS, timestamp: timestamp?.(i) ?? Date.now() };
  });

async function closeAll(instances: readonly KafkaStreams[]): Promise<void> {
  const results = await Promise.all(instances.map((s) => s.close()));
  expect(results.every(Boolean)).toBe(true);
}

/** Committed output values (read_committed), until `n` have been read. */
async function committedOutput(topic: string, n: number): Promise<ConsumedMessage[]> {
  const out = await readTopic(topic, (all) => all.length >= n, { isolation: 'read_committed', timeoutMs: 60_000 });
  expect(out).toHaveLength(n);
  return out;
}

describe('application-wide control through the control topic', () => {
  it('should pause every replica, keep a replica started while paused paused, and resume with nothing lost', async () => {
    const [input, output, appId] = [uniqueName('ctl-in'), uniqueName('ctl-out'), uniqueName('ctl-app')];
    await createTopics({ topic: input, partitions: PARTITIONS }, { topic: output, partitions: PARTITIONS });
    const replicas = ['a', 'b', 'c'].map((id) => replica(input, output, appId, id));
    const conn = { applicationId: appId, bootstrapServers: bootstrapServers() };
    try {
      await Promise.all(replicas.map((r) => r.start()));
      await produce(input, records(0, 300));
      await eventually(async () => (await endTotal(output)) === 300, 60_000, '300 outputs');

      const pausedAt = Date.now();
      await pauseApplication({ ...conn, by: 'test' });
      await eventually(() => replicas.every((r) => r.isPaused()), 10_000, 'every replica paused');
      expect(Date.now() - pausedAt).toBeLessThan(2000);
      await produce(input, records(300, 300));
      // Output stays where it was for 5 s while the lag grows; every replica stays RUNNING in the group.
      const until = Date.now() + 5000;
      while (Date.now() < until) {
        expect(await endTotal(output)).toBe(300);
        await new Promise((r) => setTimeout(r, 250));
      }
      const status = await describeApplication(conn);
      expect(status.desiredState?.paused).toBe(true);
      expect(status.totalLag).toBe(300);
      expect(replicas.map((r) => r.state)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);

      // A replica started now obeys the control topic: paused from the start. (One leaves first, so that the new
      // one gets a partition: with more replicas than partitions it would have none.)
      const leaving = replicas.pop()!;
      expect(await leaving.close()).toBe(true);
      const late = replica(input, output, appId, 'd');
      replicas.push(late);
      await late.start();
      expect(late.isPaused()).toBe(true);
      await eventually(
        () => replicas.every((r) => r.state === 'RUNNING') && late.metrics().activeTasks.length > 0,
        60_000,
        'the late replica RUNNING with a task',
      );
      await new Promise((r) => setTimeout(r, 1000));
      expect(await endTotal(output)).toBe(300);

      await resumeApplication({ ...conn, by: 'test' });
      await eventually(async () => (await endTotal(output)) === 600, 60_000, '600 outputs');
      expect(replicas.some((r) => r.isPaused())).toBe(false);
      const keys = new Set((await readTopic(output, (all) => all.length >= 600)).map((m) => String(m.key)));
      expect(keys.size).toBe(600);
    } finally {
      await closeAll(replicas);
    }
  });

  it.each(['at_least_once', 'exactly_once_v2'] as const)(
    'should re-emit exactly the input records since a date-time on rewind, once per partition (%s)',
    async (guarantee) => {
      const [input, output, appId] = [uniqueName('rw-in'), uniqueName('rw-out'), uniqueName('rw-app')];
      await createTopics({ topic: input, partitions: PARTITIONS }, { topic: output, partitions: PARTITIONS });
      const base = Date.now() - 3_600_000;
      // Record i has timestamp base + i seconds; the rewind goes back to record 60's.
      await produce(
        input,
        records(0, 90, (i) => base + i * 1000),
      );
      const a = replica(input, output, appId, 'a', guarantee);
      const b = replica(input, output, appId, 'b', guarantee);
      const running = [a, b];
      try {
        await Promise.all(running.map((r) => r.start()));
        await committedOutput(output, 90);

        const command = await rewindApplication({
          applicationId: appId,
          bootstrapServers: bootstrapServers(),
          toDatetime: base + 60_000,
          by: 'test',
        });
        expect(command.target).toEqual({ kind: 'timestamp', timestampMs: base + 60_000 });
        const after = await committedOutput(output, 120);
        const reemitted = after.map((m) => String(m.key)).sort();
        const expected = [
          ...Array.from({ length: 90 }, (_, i) => `k${i}`),
          ...Array.from({ length: 30 }, (_, i) => `k${60 + i}`),
        ];
        expect(reemitted).toEqual(expected.sort());

        // A replica that takes partitions over later sees the rewind in their committed metadata: nothing again.
        await b.close();
        running.pop();
        const c = replica(input, output, appId, 'c', guarantee);
        running.push(c);
        await c.start();
        await eventually(
          () =>
            a.state === 'RUNNING' &&
            c.state === 'RUNNING' &&
            a.metrics().activeTasks.length + c.metrics().activeTasks.length === PARTITIONS,
          60_000,
          'a and c own every task',
        );
        await produce(
          input,
          records(90, 9, (i) => base + i * 1000),
        );
        const final = await committedOutput(output, 129);
        expect(final.filter((m) => /^k9\d$/.test(String(m.key)))).toHaveLength(9);
      } finally {
        await closeAll(running);
      }
    },
  );

  it('should apply a rewind issued while no replica runs once, when a replica starts, and not again on restart', async () => {
    const [input, output, appId] = [uniqueName('rw2-in'), uniqueName('rw2-out'), uniqueName('rw2-app')];
    await createTopics({ topic: input, partitions: PARTITIONS }, { topic: output, partitions: PARTITIONS });
    await produce(input, records(0, 30));
    const conn = { applicationId: appId, bootstrapServers: bootstrapServers() };
    const first = replica(input, output, appId, 'a');
    await first.start();
    await eventually(async () => (await endTotal(output)) === 30, 60_000, '30 outputs');
    await closeAll([first]);

    await rewindApplication({ ...conn, toEarliest: true, by: 'test' });
    const second = replica(input, output, appId, 'a');
    await second.start();
    await eventually(async () => (await endTotal(output)) === 60, 60_000, '30 more outputs after the rewind');
    await closeAll([second]);

    const third = replica(input, output, appId, 'a');
    await third.start();
    await produce(input, records(30, 3));
    await eventually(async () => (await endTotal(output)) === 63, 60_000, 'only the 3 new records');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await endTotal(output)).toBe(63);
    await closeAll([third]);
  });
});
