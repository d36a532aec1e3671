// A versioned table on the real broker: its store's history goes to a changelog, and a replica started in a fresh
// state directory restores it, so a late stream record still joins the version valid at its timestamp.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, Stores, silentLogger } from 'kaskade';
import type { Topology } from 'kaskade';
import { Consumed, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, produce, readTopic, str } from './kafka-helpers.js';

const S = Serdes.String();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function topology(clicks: string, prices: string, out: string): Topology {
  const b = new StreamsBuilder();
  const table = b.table(
    prices,
    Consumed.with(S, S),
    Materialized.as<string, string>(Stores.persistentVersionedKeyValueStore('prices-v', 3_600_000))
      .withKeySerde(S)
      .withValueSerde(S),
  );
  b.stream(clicks, Consumed.with(S, S))
    .join(table, (order, price) => `${order}@${price}`)
    .to(out, Produced.with(S, S));
  return b.build();
}

/** Runs a replica in a fresh state directory until `out` has `expected` records; returns them as key=value. */
async function runReplica(appId: string, t: Topology, out: string, expected: number): Promise<string[]> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-versioned-'));
  dirs.push(stateDir);
  const streams = new KafkaStreams(t, {
    applicationId: appId,
    bootstrapServers: bootstrapServers(),
    stateDir,
    commitIntervalMs: 100,
    logger: silentLogger,
  });
  await streams.start();
  try {
    const records = await readTopic(out, (all) => all.length >= expected);
    return records.map((m) => `${str(m.key)}=${str(m.value)}`);
  } finally {
    expect(await streams.close()).toBe(true);
  }
}

describe('versioned table on the real broker', () => {
  it('should join as of the record time, and restore the history from the changelog in a fresh replica', async () => {
    const [clicks, prices, out, appId] = ['vt-clicks', 'vt-prices', 'vt-out', 'vt-app'].map(uniqueName) as [
      string,
      string,
      string,
      string,
    ];
    await createTopics(
      { topic: clicks, partitions: 1 },
      { topic: prices, partitions: 1 },
      { topic: out, partitions: 1 },
    );
    const t0 = Date.now() - 60_000;
    await produce(prices, [
      { key: 'p', value: '10', timestamp: t0 },
      { key: 'p', value: '20', timestamp: t0 + 20_000 },
      { key: 'p', value: '15', timestamp: t0 + 10_000 }, // out of order: valid from t0 + 10 s to t0 + 20 s
    ]);
    // After the three prices (the task takes records in timestamp order, so earlier clicks would race them).
    await produce(clicks, [{ key: 'p', value: 'o1', timestamp: t0 + 25_000 }]);
    const t = topology(clicks, prices, out);
    expect(await runReplica(appId, t, out, 1)).toEqual(['p=o1@20']);
    const changelog = await readTopic(`${appId}-prices-v-changelog`, (all) => all.length >= 3);
    expect(changelog.map((m) => m.timestamp)).toEqual([t0, t0 + 20_000, t0 + 10_000]);

    // A fresh replica restores the history from the changelog: late clicks join the versions of their own times.
    await produce(clicks, [
      { key: 'p', value: 'o2', timestamp: t0 + 5_000 },
      { key: 'p', value: 'o3', timestamp: t0 + 12_000 },
    ]);
    expect(await runReplica(appId, t, out, 3)).toEqual(['p=o1@20', 'p=o2@10', 'p=o3@15']);
  }, 120_000);
});
