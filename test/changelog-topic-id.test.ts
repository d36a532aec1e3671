// A store whose changelog was deleted and created again — and has since grown past the store's offset, which offsets
// alone cannot tell — is noticed by the changelog's topic id, wiped and restored (real broker). Without the check the
// old counts would be restored under the new ones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, QueryableStoreTypes, resetApplication } from '@kaskade/core';
import { WORD_COUNT_STORE, wordCountTopology, wordsOf } from '../examples/word-count.js';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kaskade-topic-id-'));
  dirs.push(d);
  return d;
}

describe('changelog topic id', () => {
  it('should wipe a store whose recreated changelog has grown past its offset, saying why', async () => {
    const [input, output, appId] = [uniqueName('tid-in'), uniqueName('tid-out'), uniqueName('tid-app')];
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const lines = (from: number, n: number, colour: string) =>
      Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `${colour} w${(from + i) % 5}` }));
    const logs: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (m: string) => logs.push(m),
      error: (m: string) => logs.push(m),
    };
    const instance = (stateDir: string) =>
      new KafkaStreams(wordCountTopology({ input, output }), {
        applicationId: appId,
        bootstrapServers: bootstrapServers(),
        stateDir,
        commitIntervalMs: 100,
        // No cache: every update reaches the changelog, so it grows with every record.
        cacheMaxBytes: 0,
        logger,
      });
    const counts = (streams: KafkaStreams): Map<string, number> =>
      new Map(
        [...streams.store(WORD_COUNT_STORE, QueryableStoreTypes.keyValueStore()).all()].map((kv) => [
          kv.key,
          Number(kv.value),
        ]),
      );
    const expectedOf = (records: readonly { value: string }[]) => {
      const m = new Map<string, number>();
      for (const w of records.flatMap((r) => wordsOf(r.value))) m.set(w, (m.get(w) ?? 0) + 1);
      return m;
    };

    // A counts 50 lines and stops with its store on disk.
    const stateA = tempDir();
    const first = lines(0, 50, 'blue');
    await produce(input, first);
    let a = instance(stateA);
    await a.start();
    // Processed: 50 lines, then their 100 words in the counting sub-topology.
    await eventually(() => a.metrics().processed === 150, 60_000, 'A counted 50 lines');
    expect(await a.close()).toBe(true);

    // Reset to the latest offsets without A's state directory (changelog deleted); B, on a fresh directory, counts
    // 150 new lines: the recreated changelog ends far past A's offset, and holds no 'blue'.
    await resetApplication({ applicationId: appId, bootstrapServers: bootstrapServers(), toLatest: true });
    const second = lines(50, 150, 'red');
    await produce(input, second);
    const b = instance(tempDir());
    await b.start();
    await eventually(() => b.metrics().processed === 450, 60_000, 'B counted 150 lines');
    expect(await b.close()).toBe(true);

    // A comes back on its old directory: its store must hold what the changelog says, not its old counts on top.
    a = instance(stateA);
    await a.start();
    try {
      await eventually(() => a.state === 'RUNNING' && a.metrics().activeTasks.length > 0, 60_000, 'A running');
      // Tasks are queryable once restored.
      await eventually(() => counts(a).size > 0, 30_000, "A's store restored");
      // The changelog's state: B's counts of the second batch — no 'blue' left over from A's old store.
      expect(counts(a)).toEqual(expectedOf(second));
      expect(
        logs.some((l) => /with topic id \S+, but the topic now has id \S+: it was deleted and created again/.test(l)),
      ).toBe(true);
    } finally {
      expect(await a.close()).toBe(true);
    }
  });
});
