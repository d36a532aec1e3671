// The application reset tool on the real broker: a stateful application reset to earliest reprocesses to the same
// result as a fresh one (counts not doubled, internal topics recreated, local state rebuilt); each target moves
// exactly the offsets it should; a dry run changes nothing; an active member is refused by name.
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationResetError, KafkaStreams, resetApplication } from '@kaskade/core';
import { KafkaAdmin, KafkaConsumerClient } from '@kaskade/core/internal';
import type { ConsumedMessage, TopicPartitionOffset } from '@kaskade/core/internal';
import { WORD_COUNT_STORE, wordCountTopology, wordsOf } from '../examples/word-count.js';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic } from './kafka-helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kaskade-reset-'));
  dirs.push(d);
  return d;
}

async function withAdmin<T>(fn: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = KafkaAdmin.create(bootstrapServers());
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}

/** The group's committed offsets of a topic's partitions, in partition order (-1001 = none). */
async function committedOf(groupId: string, topic: string, partitions: number): Promise<number[]> {
  const parts = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
  const offsets = await withAdmin((admin) => admin.groupOffsets(groupId, parts));
  return parts.map((p) => offsets.find((o) => o.partition === p.partition)!.offset);
}

/** Commits offsets for a group without joining it (the group stays empty). */
async function commitAs(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
  const c = new KafkaConsumerClient({ bootstrapServers: bootstrapServers(), groupId });
  await c.connect();
  try {
    await c.commit(offsets);
  } finally {
    await c.disconnect();
  }
}

/** Each word's sequence of counts, in output order. */
function countsByWord(
  messages: readonly { key?: Buffer | string | null; value: Buffer | null }[],
): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>();
  for (const m of messages) {
    const word = String(m.key);
    const list = out.get(word) ?? [];
    list.push(m.value!.readBigInt64BE(0));
    out.set(word, list);
  }
  return out;
}

describe('resetApplication on the real broker', () => {
  it.each(['at_least_once', 'exactly_once_v2'] as const)(
    'should reprocess a stateful application from earliest to the same counts as a fresh one (%s)',
    async (processingGuarantee) => {
      const input = uniqueName('reset-wc-in');
      const output = uniqueName('reset-wc-out');
      const freshOutput = uniqueName('reset-wc-fresh-out');
      const appId = uniqueName('reset-wc-app');
      await createTopics(
        { topic: input, partitions: 3 },
        { topic: output, partitions: 3 },
        { topic: freshOutput, partitions: 3 },
      );
      const lines = Array.from({ length: 600 }, (_, i) => `alpha beta w${i % 37} gamma w${i % 11}`);
      await produce(
        input,
        lines.map((l, i) => ({ key: `k${i}`, value: l })),
      );
      const expected = new Map<string, number>();
      for (const w of lines.flatMap(wordsOf)) expected.set(w, (expected.get(w) ?? 0) + 1);

      const stateDir = tempDir();
      const after = (from: ReadonlyMap<number, number>) => (m: ConsumedMessage) =>
        m.offset >= (from.get(m.partition) ?? 0);
      const complete = (messages: readonly ConsumedMessage[]): boolean => {
        const counts = countsByWord(messages);
        return counts.size === expected.size && [...expected].every(([w, n]) => counts.get(w)?.at(-1) === BigInt(n));
      };
      /** Runs the application until its committed output (past `from`) holds every word's final count. */
      const run = async (
        applicationId: string,
        out: string,
        from: ReadonlyMap<number, number> = new Map(),
      ): Promise<ConsumedMessage[]> => {
        const streams = new KafkaStreams(wordCountTopology({ input, output: out }, { caching: false }), {
          applicationId,
          bootstrapServers: bootstrapServers(),
          stateDir,
          processingGuarantee,
          commitIntervalMs: 100,
          logger: quiet,
        });
        await streams.start();
        try {
          const seen = await readTopic(out, (all) => complete(all.filter(after(from))), {
            isolation: 'read_committed',
            timeoutMs: 120_000,
          });
          return seen.filter(after(from));
        } finally {
          expect(await streams.close()).toBe(true);
        }
      };

      const first = await run(appId, output);
      expect(complete(first)).toBe(true);
      // End offsets of the first run's output per partition: the rerun's output follows them.
      const firstRunEnd = new Map<number, number>();
      for (const m of first) firstRunEnd.set(m.partition, Math.max(firstRunEnd.get(m.partition) ?? 0, m.offset + 1));
      const changelog = `${appId}-${WORD_COUNT_STORE}-changelog`;
      const repartition = `${appId}-${WORD_COUNT_STORE}-repartition`;
      expect(await withAdmin((a) => a.listTopics())).toEqual(expect.arrayContaining([changelog, repartition]));
      expect(existsSync(join(stateDir, appId))).toBe(true);

      const plan = await resetApplication({
        applicationId: appId,
        bootstrapServers: bootstrapServers(),
        toEarliest: true,
        stateDir,
      });
      // Inputs found from the group's commits (the repartition topic is internal and deleted instead).
      expect(new Set(plan.offsets.map((o) => o.topic))).toEqual(new Set([input]));
      expect(plan.offsets.every((o) => o.target === 0 && (o.committed ?? 0) > 0)).toBe(true);
      expect([...plan.topicsToDelete].sort()).toEqual([changelog, repartition].sort());
      expect(await committedOf(appId, input, 3)).toEqual([0, 0, 0]);
      const afterReset = await withAdmin((a) => a.listTopics());
      expect(afterReset).not.toContain(changelog);
      expect(afterReset).not.toContain(repartition);
      expect(existsSync(join(stateDir, appId))).toBe(false);

      const rerun = await run(appId, output, firstRunEnd);
      const fresh = await run(uniqueName('reset-wc-fresh'), freshOutput);
      const rerunCounts = countsByWord(rerun);
      // Identical to the fresh application's output, word by word, and not doubled.
      expect(rerunCounts).toEqual(countsByWord(fresh));
      expect(new Map([...rerunCounts].map(([w, c]) => [w, Number(c.at(-1))]))).toEqual(expected);
      expect(await withAdmin((a) => a.listTopics())).toEqual(expect.arrayContaining([changelog, repartition]));
    },
  );

  it('should rebuild a store whose changelog was recreated by a reset without its state directory, saying why', async () => {
    const input = uniqueName('reset-stale-in');
    const output = uniqueName('reset-stale-out');
    const appId = uniqueName('reset-stale-app');
    await createTopics({ topic: input, partitions: 2 }, { topic: output, partitions: 2 });
    const lines = Array.from({ length: 200 }, (_, i) => `red green w${i % 7}`);
    await produce(
      input,
      lines.map((l, i) => ({ key: `k${i}`, value: l })),
    );
    const expected = new Map<string, number>();
    for (const w of lines.flatMap(wordsOf)) expected.set(w, (expected.get(w) ?? 0) + 1);
    const stateDir = tempDir();
    const warnings: string[] = [];
    const logger = { ...quiet, error: (m: string) => warnings.push(m), warn: (m: string) => warnings.push(m) };
    const run = async (from: ReadonlyMap<number, number>): Promise<ConsumedMessage[]> => {
      const streams = new KafkaStreams(wordCountTopology({ input, output }), {
        applicationId: appId,
        bootstrapServers: bootstrapServers(),
        stateDir,
        commitIntervalMs: 100,
        logger,
      });
      await streams.start();
      try {
        const done = (all: readonly ConsumedMessage[]) => {
          const counts = countsByWord(all.filter((m) => m.offset >= (from.get(m.partition) ?? 0)));
          return [...expected].every(([w, n]) => counts.get(w)?.at(-1) === BigInt(n));
        };
        const seen = await readTopic(output, done, { timeoutMs: 120_000 });
        return seen.filter((m) => m.offset >= (from.get(m.partition) ?? 0));
      } finally {
        expect(await streams.close()).toBe(true);
      }
    };
    const first = await run(new Map());
    const ends = new Map<number, number>();
    for (const m of first) ends.set(m.partition, Math.max(ends.get(m.partition) ?? 0, m.offset + 1));
    // Reset without --state-dir: the local stores still hold the old counts and changelog offsets.
    await resetApplication({ applicationId: appId, bootstrapServers: bootstrapServers(), toEarliest: true });
    expect(existsSync(join(stateDir, appId))).toBe(true);
    const rerun = await run(ends);
    // Not doubled: the stale stores were wiped and rebuilt from the recreated (empty) changelog.
    expect(new Map([...countsByWord(rerun)].map(([w, c]) => [w, Number(c.at(-1))]))).toEqual(expected);
    expect(warnings.some((w) => /reflects changelog offset \d+ but .*-changelog-\d ends before it/.test(w))).toBe(true);
  });

  describe('targets', () => {
    const topic = uniqueName('reset-targets');
    let now = Date.now();
    // 2 partitions × 20 records; record i of a partition has timestamp now - (20 - i) × 10 minutes.
    const minutesAgo = (i: number): number => now - (20 - i) * 600_000;

    beforeAll(async () => {
      now = Date.now();
      await createTopics({ topic, partitions: 2 });
      await produce(
        topic,
        [0, 1].flatMap((partition) =>
          Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition, timestamp: minutesAgo(i) })),
        ),
      );
    });

    /** A group that committed 10 on partition 0 and 15 on partition 1, reset with `options`. */
    async function resetFrom(options: object): Promise<{ groupId: string; after: number[] }> {
      const groupId = uniqueName('reset-targets-app');
      await commitAs(groupId, [
        { topic, partition: 0, offset: 10 },
        { topic, partition: 1, offset: 15 },
      ]);
      await resetApplication({ applicationId: groupId, bootstrapServers: bootstrapServers(), ...options });
      return { groupId, after: await committedOf(groupId, topic, 2) };
    }

    it('should move to the first record at or after a date-time', async () => {
      const at = new Date(minutesAgo(12)).toISOString();
      expect((await resetFrom({ toDatetime: at })).after).toEqual([12, 12]);
    });

    it('should move to the first record within a duration back from now', async () => {
      // Records 0..14 are 200..60 minutes old, record 15 is 50: PT55M reaches back to record 15 (this test has 5
      // minutes of slack before record 15 falls out of reach).
      expect((await resetFrom({ byDuration: 'PT55M' })).after).toEqual([15, 15]);
    });

    it('should move to an offset, and by a shift, within the partition', async () => {
      expect((await resetFrom({ toOffset: 3 })).after).toEqual([3, 3]);
      expect((await resetFrom({ toOffset: 99 })).after).toEqual([20, 20]);
      expect((await resetFrom({ shiftBy: -4 })).after).toEqual([6, 11]);
      expect((await resetFrom({ shiftBy: 8 })).after).toEqual([18, 20]);
    });

    it('should move to latest, and to offsets read from a file (unlisted partitions kept)', async () => {
      expect((await resetFrom({ toLatest: true })).after).toEqual([20, 20]);
      const file = join(tempDir(), 'offsets.csv');
      writeFileSync(file, `# topic,partition,offset\n${topic},1,7\n`);
      expect((await resetFrom({ fromFile: file })).after).toEqual([10, 7]);
    });

    it('should change nothing on a dry run, and report the plan', async () => {
      const groupId = uniqueName('reset-targets-dry');
      await commitAs(groupId, [
        { topic, partition: 0, offset: 10 },
        { topic, partition: 1, offset: 15 },
      ]);
      const plan = await resetApplication({
        applicationId: groupId,
        bootstrapServers: bootstrapServers(),
        toEarliest: true,
        dryRun: true,
      });
      expect(plan.dryRun).toBe(true);
      expect(plan.offsets.map((o) => [o.partition, o.committed, o.target])).toEqual([
        [0, 10, 0],
        [1, 15, 0],
      ]);
      expect(await committedOf(groupId, topic, 2)).toEqual([10, 15]);
    });

    it('should refuse an unknown application and a missing input topic', async () => {
      await expect(
        resetApplication({ applicationId: uniqueName('nobody'), bootstrapServers: bootstrapServers() }),
      ).rejects.toThrow(/is unknown: its group has no committed offsets/);
      await expect(
        resetApplication({
          applicationId: uniqueName('nobody'),
          bootstrapServers: bootstrapServers(),
          inputTopics: [topic, 'no-such-topic-xyz'],
        }),
      ).rejects.toThrow(/input topic\(s\) not found: no-such-topic-xyz/);
    });
  });

  it('should refuse while the group has an active member, naming it', async () => {
    const topic = uniqueName('reset-active');
    const groupId = uniqueName('reset-active-app');
    await createTopics({ topic, partitions: 1 });
    await produce(topic, [{ key: 'k', value: 'v' }]);
    const member = new KafkaConsumerClient({
      bootstrapServers: bootstrapServers(),
      groupId,
      clientId: 'replica-one',
    });
    await member.connect();
    member.subscribe([topic]);
    try {
      await eventually(
        async () => {
          await member.consumeBatch(10);
          return member.assignments().length > 0;
        },
        60_000,
        'the member to be assigned',
      );
      const attempt = resetApplication({ applicationId: groupId, bootstrapServers: bootstrapServers() });
      await expect(attempt).rejects.toBeInstanceOf(ApplicationResetError);
      await expect(attempt).rejects.toThrow(/still has 1 active member\(s\); stop every instance first: replica-one@/);
    } finally {
      await member.disconnect();
    }
  });
});
