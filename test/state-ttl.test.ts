// State TTL on the real broker: keys of a count not written for the TTL (stream time) are deleted with changelog
// tombstones, and a replica restored from the changelog into a fresh state directory holds exactly what the first one
// held — the expired keys gone, the live ones with their counts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, QueryableStoreTypes, Serdes, silentLogger } from '@kaskade/core';
import type { Topology } from '@kaskade/core';
import { Consumed, Materialized, StreamsBuilder } from '@kaskade/dsl';
import { waitUntilCaughtUp } from 'kaskade/testing';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, produce, readTopic } from './kafka-helpers.js';

const S = Serdes.String();
const STORE = 'ttl-counts';
const TTL_MS = 60_000;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function topology(input: string): Topology {
  const b = new StreamsBuilder();
  b.stream(input, Consumed.with(S, S)).groupByKey().count(Materialized.as<string, number>(STORE).withTtl(TTL_MS));
  return b.build();
}

/** Starts the application in a fresh state directory, waits until it has caught up, and returns its store's contents. */
async function runAndSnapshot(appId: string, t: Topology): Promise<Map<string, number>> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-ttl-'));
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
    await waitUntilCaughtUp(streams, t);
    // A replica with nothing new to process has caught up at once, but queries wait for its restore (RUNNING).
    const deadline = Date.now() + 60_000;
    while (streams.state !== 'RUNNING' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const snapshot = new Map<string, number>();
    for (const kv of streams.store(STORE, QueryableStoreTypes.keyValueStore<string, number>()).all()) {
      snapshot.set(kv.key, kv.value);
    }
    return snapshot;
  } finally {
    expect(await streams.close()).toBe(true);
  }
}

describe('state TTL on the real broker', () => {
  it('should expire idle keys through changelog tombstones, and a restored replica should agree', async () => {
    const input = uniqueName('ttl-in');
    const appId = uniqueName('ttl-app');
    await createTopics({ topic: input, partitions: 1 });
    const base = 1_700_000_000_000;
    const old = Array.from({ length: 20 }, (_, i) => `old-${String(i).padStart(2, '0')}`);
    await produce(input, [
      ...old.map((key) => ({ key, value: 'x', timestamp: base })),
      { key: 'recent', value: 'x', timestamp: base + 50_000 },
      // 40 writes at base + TTL + 1000: every old key is expired (base <= now - TTL) and the sweeps (16 keys every 8th
      // write) pass over the whole store twice.
      ...Array.from({ length: 40 }, () => ({ key: 'live', value: 'x', timestamp: base + TTL_MS + 1000 })),
    ]);

    const first = await runAndSnapshot(appId, topology(input));
    expect(first).toEqual(
      new Map([
        ['live', 40],
        ['recent', 1],
      ]),
    );

    const changelog = await readTopic(
      `${appId}-${STORE}-changelog`,
      (all) => all.filter((m) => m.value === null || m.value === undefined).length >= old.length,
    );
    const tombstones = changelog.filter((m) => m.value === null || m.value === undefined).map((m) => String(m.key));
    expect(tombstones.sort()).toEqual(old);

    // A replica with a fresh state directory restores the store from the changelog: the same contents.
    const restored = await runAndSnapshot(appId, topology(input));
    expect(restored).toEqual(first);
  }, 120_000);
});
