import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '@kaskade/processor-api';
import type { CachedStateStore } from '../cached-state-store.js';
import { CACHE_ENTRY_OVERHEAD_BYTES } from '../internal/record-cache.js';
import { Stores } from '../stores.js';
import type { StoreImplementation } from './contract-harness.js';
import { b, bytesSerde, changelogTopic, Harness, hex, PARTITION, stringSerde } from './contract-harness.js';

/** Behaviour of the record cache in front of a store (always enabled here, whatever the implementation says). */
export function recordCacheContract(impl: StoreImplementation): void {
  describe('record cache', () => {
    let h: Harness;
    beforeEach(() => {
      h = new Harness({ ...impl, caching: false });
    });
    afterEach(() => h.cleanup());

    const open = (name = 'c'): KeyValueStore<Buffer, string> =>
      h.register(Stores.keyValueStoreBuilder(h.keyValueSupplier(name), bytesSerde, stringSerde).withCachingEnabled());

    it('should merge repeated writes into one changelog record per key at flush', () => {
      const store = open();
      for (let i = 0; i < 5; i++) {
        h.recordTime = i;
        store.put(b('a'), `a${i}`);
        store.put(b('b'), `b${i}`);
      }
      store.put(b('gone'), 'x');
      store.delete(b('gone'));
      expect(h.logged).toEqual([]);
      h.manager.flushCaches();
      expect(h.logged.splice(0)).toEqual([
        { topic: changelogTopic('c'), partition: PARTITION, key: hex(b('a')), value: hex(b('a4')), timestamp: 4 },
        { topic: changelogTopic('c'), partition: PARTITION, key: hex(b('b')), value: hex(b('b4')), timestamp: 4 },
        { topic: changelogTopic('c'), partition: PARTITION, key: hex(b('gone')), value: null, timestamp: 4 },
      ]);
      h.manager.flushCaches();
      expect(h.logged).toEqual([]);
    });

    it('should serve reads from the cache, over buffered and committed data', () => {
      const store = open();
      store.put(b('a'), 'committed');
      store.put(b('b'), 'committed');
      h.commit();
      store.put(b('c'), 'buffered');
      h.manager.flushCaches();
      store.put(b('a'), 'cached');
      store.delete(b('b'));
      store.put(b('d'), 'cached');
      expect(store.get(b('a'))).toBe('cached');
      expect(store.get(b('b'))).toBeUndefined();
      expect(Array.from(store.all(), (e) => `${e.key.toString()}=${e.value}`)).toEqual([
        'a=cached',
        'c=buffered',
        'd=cached',
      ]);
      expect(Array.from(store.reverseRange(b('b'), b('d')), (e) => e.key.toString())).toEqual(['d', 'c']);
    });

    it('should evict least recently used entries when over budget, flushing dirty ones first', () => {
      // Room for two entries of a 1-byte key and a 1-byte value, not three.
      const budget = 2 * (2 + CACHE_ENTRY_OVERHEAD_BYTES) + 100;
      h.cacheMaxBytes = budget;
      const store = open();
      for (const k of ['a', 'b', 'c', 'd']) store.put(b(k), k);
      expect(h.logged.length).toBeGreaterThan(0);
      expect(h.logged[0]?.key).toBe(hex(b('a')));
      expect(h.manager.cacheSizeBytes).toBeLessThanOrEqual(budget);
      expect(Array.from(store.all(), (e) => e.value)).toEqual(['a', 'b', 'c', 'd']);
      h.manager.flushCaches();
      expect(new Set(h.logged.map((r) => r.key))).toEqual(new Set(['a', 'b', 'c', 'd'].map((k) => hex(b(k)))));
      expect(h.logged).toHaveLength(4);
    });

    it('should drop dirty entries on abort', () => {
      const store = open();
      store.put(b('a'), '1');
      h.commit();
      store.put(b('a'), '2');
      h.manager.abort();
      expect(store.get(b('a'))).toBe('1');
      h.manager.flushCaches();
      expect(h.logged.filter((r) => r.value === hex(b('2')))).toEqual([]);
    });

    it('should call the flush listener with new and old values', () => {
      const store = open();
      const flushed: unknown[] = [];
      const listening = (store as unknown as CachedStateStore<Buffer, string>).setFlushListener(
        (key, newValue, oldValue, ts) => flushed.push([key.toString(), newValue, oldValue, ts]),
        true,
      );
      expect(listening).toBe(true);
      store.put(b('a'), '1');
      h.commit();
      h.recordTime = 9;
      store.put(b('a'), '2');
      store.put(b('a'), '3');
      store.delete(b('b'));
      h.manager.flushCaches();
      expect(flushed).toEqual([
        ['a', '1', undefined, 0],
        ['a', '3', '1', 9],
        ['b', undefined, undefined, 9],
      ]);
    });

    it('should tell a flush listener that caching is off when it is', () => {
      const store = h.register(Stores.keyValueStoreBuilder(h.keyValueSupplier('plain'), bytesSerde, stringSerde));
      const listening = (store as unknown as CachedStateStore<Buffer, string>).setFlushListener(() => undefined, false);
      expect(listening).toBe(false);
    });
  });
}
