// State TTL (Materialized.withTtl / TimestampedKeyValueStoreBuilder.withTtl): keys not written for the TTL in stream
// time read as absent, restart their aggregate, and are deleted with changelog tombstones by a sweep of bounded work per write.
import { afterEach, describe, expect, it } from 'vitest';
import { TopologyError } from '@kaskade/processor-api';
import type { ValueAndTimestamp } from '@kaskade/processor-api';
import { Stores } from '@kaskade/state-store';
import { Consumed, Materialized, Produced, StreamsBuilder, TimeWindows } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { L, S } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function countWithTtl(ttlMs: number): TopologyTestDriver {
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(S, S))
    .groupByKey()
    .count(Materialized.as<string, number>('counts').withTtl(ttlMs))
    .toStream()
    .to('out', Produced.with(S, L));
  driver = new TopologyTestDriver(b.build());
  return driver;
}

describe('state TTL on key-value stores (stream time)', () => {
  it('should restart the aggregate of a key not written for the TTL, and hide it from reads at once', () => {
    const d = countWithTtl(10);
    const input = d.createInputTopic('in', S, S);
    const out = d.createOutputTopic('out', S, L);
    input.pipeInput('a', 'x', 0);
    input.pipeInput('b', 'x', 5);
    input.pipeInput('a', 'x', 9); // a written at 9
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
      { key: 'a', value: 2 },
    ]);
    input.pipeInput('c', 'x', 18); // stream time 18: b (5 <= 8) expired, a (9 > 8) alive
    const store = d.getKeyValueStore<string, ValueAndTimestamp<number>>('counts')!;
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')?.value).toBe(2);
    input.pipeInput('a', 'x', 19); // 9 <= 19 - 10: a expired, starts again
    input.pipeInput('b', 'x', 19);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'c', value: 1 },
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
    ]);
    // An expired key is gone from range scans too, whether or not the sweep has reached it yet.
    input.pipeInput('d', 'x', 40);
    const it = store.all();
    const keys: string[] = [];
    for (let e = it.next(); !e.done; e = it.next()) keys.push(e.value.key);
    it.close();
    expect(keys).toEqual(['d']);
  });

  it('should delete expired keys with changelog tombstones, in batches every few writes, so a restore drops them too', () => {
    const d = countWithTtl(10);
    const input = d.createInputTopic('in', S, S);
    const changelog = d.createOutputTopic('test-driver-counts-changelog', S, L);
    for (const key of ['k1', 'k2', 'k3', 'k4']) input.pipeInput(key, 'x', 0);
    changelog.readKeyValuesToList();
    // Stream time 100: all four expired. Every 8th write examines the next 16 keys from where the last sweep stopped:
    // writes 5 to 7 leave them in the store (reads already hide them), the 8th deletes them.
    for (let i = 0; i < 3; i++) input.pipeInput('z', 'x', 100);
    expect(changelog.readKeyValuesToList()).toEqual([
      { key: 'z', value: 1 },
      { key: 'z', value: 2 },
      { key: 'z', value: 3 },
    ]);
    input.pipeInput('z', 'x', 100);
    const records = changelog.readKeyValuesToList();
    const tombstones = records.filter((r) => r.value === null).map((r) => r.key);
    expect(tombstones.sort()).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(records.filter((r) => r.value !== null)).toEqual([{ key: 'z', value: 4 }]);
  });

  it('should refuse a TTL that is not a positive integer, and a TTL on window stores', () => {
    expect(() => Materialized.as('s').withTtl(0)).toThrow(/TTL must be an integer > 0/);
    expect(() => Materialized.as('s').withTtl(1.5)).toThrow(TopologyError);
    const supplier = Stores.persistentKeyValueStore('p');
    expect(() => Stores.timestampedKeyValueStoreBuilder(supplier, S, S).withTtl(-1)).toThrow(
      /store "p": the TTL must be an integer > 0/,
    );
    const b = new StreamsBuilder();
    const windowed = b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10));
    expect(() => windowed.count(Materialized.as<string, number>('w').withTtl(5))).toThrow(
      /applies to key-value stores; a window store expires by retention/,
    );
  });
});
