// GlobalKTable on the real broker: three replicas of one application each bootstrap the whole global table (all
// partitions of its topic) before processing, keep it up to date while running, and join clicks from any partition
// against it (no co-partitioning). Each keeps its position in a checkpoint beside its store, not in Kafka.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, QueryableStoreTypes, Serdes, silentLogger } from '@kaskade/core';
import { Consumed, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic, str } from './kafka-helpers.js';

const S = Serdes.String();
const STORE = 'users-store';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function replica(appId: string, clicks: string, users: string, out: string): { streams: KafkaStreams; dir: string } {
  const b = new StreamsBuilder();
  const table = b.globalTable(users, Consumed.with(S, S), Materialized.as<string, string>(STORE));
  b.stream(clicks, Consumed.with(S, S))
    .leftJoin(
      table,
      (_click, user) => user,
      (user, name) => `${user}:${name ?? 'unknown'}`,
    )
    .to(out, Produced.with(S, S));
  const dir = mkdtempSync(join(tmpdir(), 'kaskade-global-'));
  dirs.push(dir);
  const streams = new KafkaStreams(b.build(), {
    applicationId: appId,
    bootstrapServers: bootstrapServers(),
    stateDir: dir,
    commitIntervalMs: 100,
    logger: silentLogger,
  });
  return { streams, dir };
}

/** The replica's global store as a map, or undefined while it cannot be queried (not RUNNING). */
function snapshot(streams: KafkaStreams): Map<string, string> | undefined {
  if (streams.state !== 'RUNNING') return undefined;
  const out = new Map<string, string>();
  for (const kv of streams.store(STORE, QueryableStoreTypes.keyValueStore<string, string>()).all()) {
    out.set(kv.key, kv.value);
  }
  return out;
}

describe('GlobalKTable on the real broker', () => {
  it('should give each of three replicas the full table and join clicks of every partition against it', async () => {
    const [clicks, users, out, appId] = ['gkt-clicks', 'gkt-users', 'gkt-out', 'gkt-app'].map(uniqueName) as [
      string,
      string,
      string,
      string,
    ];
    await createTopics(
      { topic: clicks, partitions: 3 },
      { topic: users, partitions: 3 },
      { topic: out, partitions: 1 },
    );
    const names = Array.from({ length: 60 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    await produce(
      users,
      names.map((u) => ({ key: u, value: `name-${u}` })),
    );
    const replicas = [0, 1, 2].map(() => replica(appId, clicks, users, out));
    try {
      await Promise.all(replicas.map((r) => r.streams.start()));
      const full = new Map(names.map((u) => [u, `name-${u}`]));
      // Every replica holds every user, although each processes only its share of the clicks' partitions.
      await eventually(() => replicas.every((r) => snapshot(r.streams)?.size === full.size), 60_000, 'full tables');
      for (const r of replicas) expect(snapshot(r.streams)).toEqual(full);

      // Clicks spread over all partitions by their own key; each joins the user its value names.
      const first = names.map((u, i) => ({ key: `c${i}`, value: u }));
      await produce(clicks, first);
      const joined = await readTopic(out, (all) => all.length >= first.length);
      expect(joined.map((m) => `${str(m.key)}=${str(m.value)}`).sort()).toEqual(
        first.map((c) => `${c.key}=${c.value}:name-${c.value}`).sort(),
      );

      // An update of the global topic reaches every replica while they run.
      await produce(users, [
        { key: 'u00', value: 'renamed' },
        { key: 'u01', value: null },
      ]);
      await eventually(
        () => replicas.every((r) => snapshot(r.streams)?.get('u00') === 'renamed' && !snapshot(r.streams)?.has('u01')),
        60_000,
        'the update on every replica',
      );
      const second = Array.from({ length: 30 }, (_, i) => ({ key: `d${i}`, value: i % 2 === 0 ? 'u00' : 'u01' }));
      await produce(clicks, second);
      const all = await readTopic(out, (m) => m.length >= first.length + second.length);
      const later = all.filter((m) => str(m.key)!.startsWith('d')).map((m) => `${str(m.key)}=${str(m.value)}`);
      expect(later.sort()).toEqual(
        second.map((c) => `${c.key}=${c.value}:${c.value === 'u00' ? 'renamed' : 'unknown'}`).sort(),
      );
    } finally {
      for (const r of replicas) expect(await r.streams.close()).toBe(true);
    }
    // The position is in a checkpoint beside the store (62 records read over the three partitions), not in Kafka.
    for (const r of replicas) {
      const file = join(r.dir, appId, 'global', '.checkpoint.json');
      expect(existsSync(file)).toBe(true);
      const offsets = JSON.parse(readFileSync(file, 'utf8')) as { [tp: string]: number };
      expect(Object.values(offsets).reduce((a, b) => a + b, 0)).toBe(62);
    }
  }, 120_000);
});
