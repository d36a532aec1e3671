import { afterEach, describe, expect, it } from 'vitest';
import { VERSIONED_PUT_NOT_PUT, VERSIONED_PUT_VALID_TO_UNDEFINED } from '@kaskade/processor-api';
import type { Serde, VersionedKeyValueStore } from '@kaskade/processor-api';
import { Harness, PARTITION, changelogTopic } from './contract/contract-harness.js';
import { Stores } from './stores.js';

const S: Serde<string> = { serialize: (_t, d) => Buffer.from(d), deserialize: (_t, d) => d.toString() };
const harnesses: Harness[] = [];
afterEach(() => harnesses.splice(0).forEach((h) => h.cleanup()));

function open(retentionMs = 100): { h: Harness; store: VersionedKeyValueStore<string, string> } {
  const h = new Harness({ name: 'lmdb', persistent: true, caching: false });
  harnesses.push(h);
  const builder = Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore('v', retentionMs), S, S);
  const store = h.register(builder, { topic: changelogTopic('v'), partition: PARTITION });
  return { h, store };
}

describe('versioned key-value store (KIP-889)', () => {
  it('should read the version valid at a timestamp, with validTo, and take out-of-order writes', () => {
    const { store } = open();
    expect(store.put('k', 'a', 10)).toBe(VERSIONED_PUT_VALID_TO_UNDEFINED);
    expect(store.put('k', 'b', 20)).toBe(VERSIONED_PUT_VALID_TO_UNDEFINED);
    expect(store.put('k', 'old', 12)).toBe(20); // out of order: valid until the next newer version
    expect(store.get('k')).toEqual({ value: 'b', timestamp: 20 });
    expect(store.get('k', 5)).toBeUndefined();
    expect(store.get('k', 11)).toEqual({ value: 'a', timestamp: 10, validTo: 12 });
    expect(store.get('k', 13)).toEqual({ value: 'old', timestamp: 12, validTo: 20 });
    expect(store.get('k', 25)).toEqual({ value: 'b', timestamp: 20 });
    expect(store.put('k', 'a2', 10)).toBe(12); // the same timestamp replaces the version
    expect(store.get('k', 10)).toEqual({ value: 'a2', timestamp: 10, validTo: 12 });
  });

  it('should keep tombstones in the history: deleted periods read as absent', () => {
    const { store } = open();
    store.put('k', 'a', 10);
    expect(store.delete('k', 30)).toEqual({ value: 'a', timestamp: 10 });
    expect(store.get('k')).toBeUndefined();
    expect(store.get('k', 35)).toBeUndefined();
    expect(store.get('k', 29)).toEqual({ value: 'a', timestamp: 10, validTo: 30 });
  });

  it('should refuse writes and reads older than observed stream time - history retention', () => {
    const { store } = open(100);
    store.put('k', 'a', 10);
    store.put('k', null, 30);
    store.put('other', 'x', 500); // observed stream time 500: the horizon is 400
    expect(store.put('k', 'late', 350)).toBe(VERSIONED_PUT_NOT_PUT);
    expect(store.get('k', 15)).toBeUndefined();
    expect(store.get('k', 450)).toBeUndefined(); // the tombstone at 30 is still the valid version
    expect(store.put('k', 'new', 460)).toBe(VERSIONED_PUT_VALID_TO_UNDEFINED);
    expect(store.get('k', 455)).toBeUndefined();
    expect(store.get('k', 460)).toEqual({ value: 'new', timestamp: 460 });
  });

  it('should log every write and restore the same history from its changelog', () => {
    const { h, store } = open(1000);
    store.put('k', 'a', 10);
    store.put('k', 'b', 20);
    store.put('k', 'old', 12);
    const logged = h.takeLogged();
    expect(logged.map((r) => r.timestamp)).toEqual([10, 20, 12]);
    const { h: h2, store: restored } = open(1000);
    h2.manager.restoreBatch(
      changelogTopic('v'),
      PARTITION,
      logged.map((r, i) => ({
        key: Buffer.from(r.key, 'hex'),
        value: r.value === null ? null : Buffer.from(r.value, 'hex'),
        timestamp: r.timestamp,
        offset: i,
      })) as never,
    );
    expect(restored.get('k', 11)).toEqual({ value: 'a', timestamp: 10, validTo: 12 });
    expect(restored.get('k', 15)).toEqual({ value: 'old', timestamp: 12, validTo: 20 });
    expect(restored.get('k')).toEqual({ value: 'b', timestamp: 20 });
    expect(
      Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore('v', 5), S, S).changelogConfig(),
    ).toEqual({ 'cleanup.policy': 'compact' });
  });
});
