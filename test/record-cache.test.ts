// The record cache of DSL stores on the real broker (on by default, as in Kafka Streams): updates to a key between two
// commits reach the output once, with the latest value, and a cached table's flushed updates carry the old values a
// KTable join and a table aggregation downstream need to retract what they added before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, silentLogger } from '@kaskade/core';
import type { Topology } from '@kaskade/core';
import { KafkaAdmin } from '@kaskade/core/internal';
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic, str } from './kafka-helpers.js';

const S = Serdes.String();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function startStreams(topology: Topology, appId: string, commitIntervalMs: number): KafkaStreams {
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-cache-'));
  dirs.push(stateDir);
  return new KafkaStreams(topology, {
    applicationId: appId,
    bootstrapServers: bootstrapServers(),
    stateDir,
    commitIntervalMs,
    logger: silentLogger,
  });
}

async function recordsIn(topic: string): Promise<number> {
  const admin = KafkaAdmin.create(bootstrapServers());
  try {
    const [end] = await admin.listOffsets([{ topic, partition: 0 }], 'latest');
    return end!.offset;
  } finally {
    admin.close();
  }
}

describe('record cache of DSL stores', () => {
  it('should emit one count per key and commit with the cache on by default, one per update with it disabled', async () => {
    const [input, cachedOut, uncachedOut] = [
      uniqueName('cache-in'),
      uniqueName('cache-out'),
      uniqueName('nocache-out'),
    ];
    await createTopics({ topic: input, partitions: 1 }, { topic: cachedOut, partitions: 1 });
    await createTopics({ topic: uncachedOut, partitions: 1 });
    await produce(
      input,
      Array.from({ length: 1000 }, () => ({ key: 'hot', value: 'x' })),
    );
    const builder = new StreamsBuilder();
    const grouped = builder.stream(input, Consumed.with(S, S)).groupByKey();
    grouped.count().toStream().to(cachedOut, Produced.with(S, Serdes.Int64()));
    grouped
      .count(Materialized.with<string, number>(S, Serdes.Int64()).withCachingDisabled())
      .toStream()
      .to(uncachedOut, Produced.with(S, Serdes.Int64()));
    // No commit while the 1000 updates are processed (the interval is far away): only close() commits.
    const streams = startStreams(builder.build(), uniqueName('cache-app'), 600_000);
    await streams.start();
    try {
      await eventually(() => streams.metrics().processed === 1000, 60_000, '1000 records processed');
    } finally {
      expect(await streams.close()).toBe(true);
    }
    const uncached = await readTopic(uncachedOut, (all) => all.length >= 1000);
    expect(uncached.map((m) => Number(m.value!.readBigInt64BE()))).toEqual(
      Array.from({ length: 1000 }, (_, i) => i + 1),
    );
    expect(await recordsIn(cachedOut)).toBe(1);
    const cached = await readTopic(cachedOut, (all) => all.length >= 1);
    expect(cached.map((m) => [str(m.key), Number(m.value!.readBigInt64BE())])).toEqual([['hot', 1000]]);
  }, 120_000);

  it('should give a table join and the aggregation behind it the right old values from a cached table', async () => {
    const [assign, weights, out] = [uniqueName('cache-assign'), uniqueName('cache-weight'), uniqueName('cache-sums')];
    await createTopics({ topic: assign, partitions: 1 }, { topic: weights, partitions: 1 });
    await createTopics({ topic: out, partitions: 1 });
    const ids = Array.from({ length: 50 }, (_, i) => `id${i}`);
    const t0 = Date.now() - 60_000;
    await produce(
      weights,
      ids.map((id, i) => ({ key: id, value: String(i + 1), timestamp: t0 })),
    );
    // 2000 moves of ids between 5 categories, many of them between two commits: the cached table flushes each id
    // once per commit, with the category the id had at the previous flush as the old value.
    const moves = Array.from({ length: 2000 }, (_, n) => ({
      key: ids[(n * 13) % ids.length]!,
      value: `c${(n * 7 + Math.floor(n / 50)) % 5}`,
      timestamp: t0 + 1 + n,
    }));
    const finalCategory = new Map<string, string>();
    for (const m of moves) finalCategory.set(m.key, m.value);
    const expected = new Map<string, number>();
    for (const [id, category] of finalCategory) {
      expected.set(category, (expected.get(category) ?? 0) + Number(id.slice(2)) + 1);
    }

    const builder = new StreamsBuilder();
    const categories = builder.table(assign, Consumed.with(S, S), Materialized.as<string, string>('cache-categories'));
    const weightTable = builder.table(weights, Consumed.with(S, S), Materialized.as<string, string>('cache-weights'));
    categories
      .join(weightTable, (category, weight) => `${category}:${weight}`)
      .groupBy(
        (_id, v) => {
          const [category, weight] = v.split(':');
          return { key: category!, value: Number(weight) };
        },
        Grouped.with(S, Serdes.Int64()),
      )
      .reduce(
        (sum, w) => sum + w,
        (sum, w) => sum - w,
        Materialized.with<string, number>(S, Serdes.Int64()),
      )
      .toStream()
      .to(out, Produced.with(S, Serdes.Int64()));
    const streams = startStreams(builder.build(), uniqueName('cache-join-app'), 500);
    await streams.start();
    // The weights are flushed (committed) before the moves come: when both sides of a key are first seen between the
    // same two commits, each side's flush joins with the other's cached value, so the first result comes twice
    // and an aggregation behind it would add it twice (Kafka Streams' join reads the other side through its cache
    // too; not compared with it here).
    await eventually(() => streams.metrics().processed >= ids.length, 60_000, 'weights processed');
    const commits = streams.metrics().commits;
    await eventually(() => streams.metrics().commits > commits, 60_000, 'weights committed');
    await produce(assign, moves);
    const latest = new Map<string, number>();
    const nonZero = (): Map<string, number> => new Map([...latest].filter(([, sum]) => sum !== 0));
    const matches = (): boolean => {
      const got = nonZero();
      return got.size === expected.size && [...expected].every(([c, sum]) => got.get(c) === sum);
    };
    let outputs = 0;
    try {
      // Wrong old values would leave a weight in a category its id has left: the sums would never match.
      await readTopic(
        out,
        (all) => {
          for (const m of all.slice(outputs)) {
            if (m.value == null) latest.delete(str(m.key)!);
            else latest.set(str(m.key)!, Number(m.value.readBigInt64BE()));
          }
          outputs = all.length;
          return matches();
        },
        { timeoutMs: 90_000 },
      );
    } finally {
      expect(await streams.close()).toBe(true);
    }
    expect(nonZero()).toEqual(expected);
    // Merged per key and commit: far fewer sums than the 2000 updates that changed them.
    expect(outputs).toBeLessThan(moves.length / 2);
  }, 150_000);
});
