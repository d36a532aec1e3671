import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueIterator, KeyValueStore, TimestampedKeyValueStore } from '@kaskade/processor-api';
import { InvalidStateStoreError } from '@kaskade/processor-api';
import { Stores } from '../stores.js';
import type { StoreImplementation } from './contract-harness.js';
import {
  b,
  bytesSerde,
  changelogKey,
  changelogTopic,
  Harness,
  hex,
  int64,
  PARTITION,
  stringSerde,
} from './contract-harness.js';

/** Distinct keys in byte order, including the empty key, zero bytes, 0xFF bytes and keys that prefix each other. */
const ORDERED_KEYS = [
  b(''),
  b([0]),
  b([0, 0]),
  b([0, 1]),
  b([1]),
  b('a'),
  b('a', [0]),
  b('ab'),
  b('abc'),
  b('b'),
  b([0xff]),
  b([0xff, 0xff]),
];

function keys(iterator: KeyValueIterator<Buffer, string>): (string | null)[] {
  return Array.from(iterator, (entry) => hex(entry.key));
}

const hexes = (list: Buffer[]): (string | null)[] => list.map(hex);

export function keyValueStoreContract(impl: StoreImplementation): void {
  describe('key-value store', () => {
    let h: Harness;
    beforeEach(() => {
      h = new Harness(impl);
    });
    afterEach(() => h.cleanup());

    const open = (name = 'kv'): KeyValueStore<Buffer, string> =>
      h.register(Stores.keyValueStoreBuilder(h.keyValueSupplier(name), bytesSerde, stringSerde));

    /** Writes the keys: all committed, all uncommitted, or alternating, so reads merge buffer and committed data. */
    function fill(store: KeyValueStore<Buffer, string>, mode: 'committed' | 'buffered' | 'mixed'): void {
      const shuffled = [...ORDERED_KEYS].reverse();
      shuffled.forEach((key, i) => {
        if (mode === 'committed' || (mode === 'mixed' && i % 2 === 0)) store.put(key, `v${hex(key)}`);
      });
      store.put(b('gone'), 'deleted later');
      h.commit();
      store.delete(b('gone')); // a buffered delete must hide a committed entry
      shuffled.forEach((key, i) => {
        if (mode === 'buffered' || (mode === 'mixed' && i % 2 === 1)) store.put(key, `v${hex(key)}`);
      });
    }

    it('should get what was put, and undefined after delete', () => {
      const store = open();
      expect(store.get(b('k'))).toBeUndefined();
      store.put(b('k'), 'one');
      expect(store.get(b('k'))).toBe('one');
      store.put(b('k'), 'two');
      expect(store.get(b('k'))).toBe('two');
      expect(store.delete(b('k'))).toBe('two');
      expect(store.get(b('k'))).toBeUndefined();
      expect(store.delete(b('k'))).toBeUndefined();
    });

    it('should treat put(key, null) as a delete', () => {
      const store = open();
      store.put(b('k'), 'one');
      store.put(b('k'), null as unknown as string);
      expect(store.get(b('k'))).toBeUndefined();
    });

    it('should write with putIfAbsent only when the key is absent', () => {
      const store = open();
      expect(store.putIfAbsent(b('k'), 'first')).toBeUndefined();
      expect(store.putIfAbsent(b('k'), 'second')).toBe('first');
      expect(store.get(b('k'))).toBe('first');
      h.commit();
      expect(store.putIfAbsent(b('k'), 'third')).toBe('first');
    });

    it('should write every entry of putAll', () => {
      const store = open();
      store.putAll([
        { key: b('x'), value: '1' },
        { key: b('y'), value: '2' },
      ]);
      expect([store.get(b('x')), store.get(b('y'))]).toEqual(['1', '2']);
    });

    it('should reject a null key', () => {
      const store = open();
      expect(() => store.put(null as unknown as Buffer, 'v')).toThrow(TypeError);
    });

    for (const mode of ['committed', 'buffered', 'mixed'] as const) {
      describe(`with ${mode} data`, () => {
        it('should iterate all entries in byte order, and in reverse', () => {
          const store = open();
          fill(store, mode);
          expect(keys(store.all())).toEqual(hexes(ORDERED_KEYS));
          expect(keys(store.reverseAll())).toEqual(hexes(ORDERED_KEYS).reverse());
          expect(store.get(b('gone'))).toBeUndefined();
          expect(store.get(b('ab'))).toBe(`v${hex(b('ab'))}`);
        });

        it('should include both bounds of a range, and keys that extend the lower bound', () => {
          const store = open();
          fill(store, mode);
          expect(keys(store.range(b('a'), b('ab')))).toEqual(hexes([b('a'), b('a', [0]), b('ab')]));
          expect(keys(store.reverseRange(b('a'), b('ab')))).toEqual(hexes([b('ab'), b('a', [0]), b('a')]));
          expect(keys(store.range(b([0]), b([0, 1])))).toEqual(hexes([b([0]), b([0, 0]), b([0, 1])]));
          expect(keys(store.range(b('aa'), b('abd')))).toEqual(hexes([b('ab'), b('abc')]));
        });

        it('should treat omitted range bounds as open', () => {
          const store = open();
          fill(store, mode);
          expect(keys(store.range(undefined, b([0, 0])))).toEqual(hexes([b(''), b([0]), b([0, 0])]));
          expect(keys(store.range(b('b')))).toEqual(hexes([b('b'), b([0xff]), b([0xff, 0xff])]));
          expect(keys(store.reverseRange(b('b')))).toEqual(hexes([b([0xff, 0xff]), b([0xff]), b('b')]));
          expect(keys(store.reverseRange(undefined, b([0])))).toEqual(hexes([b([0]), b('')]));
        });

        it('should return nothing for a range whose lower bound is above its upper bound', () => {
          const store = open();
          fill(store, mode);
          expect(keys(store.range(b('b'), b('a')))).toEqual([]);
        });

        it('should scan a prefix in byte order', () => {
          const store = open();
          fill(store, mode);
          const asIs = (p: Buffer): Buffer => p;
          expect(keys(store.prefixScan(b('a'), asIs))).toEqual(hexes([b('a'), b('a', [0]), b('ab'), b('abc')]));
          expect(keys(store.prefixScan(b('ab'), asIs))).toEqual(hexes([b('ab'), b('abc')]));
          expect(keys(store.prefixScan(b([0]), asIs))).toEqual(hexes([b([0]), b([0, 0]), b([0, 1])]));
          expect(keys(store.prefixScan(b([0xff]), asIs))).toEqual(hexes([b([0xff]), b([0xff, 0xff])]));
          expect(keys(store.prefixScan(b('zz'), asIs))).toEqual([]);
        });
      });
    }

    it('should peek the next key without advancing', () => {
      const store = open();
      store.put(b('a'), '1');
      store.put(b('b'), '2');
      const iterator = store.all();
      expect(hex(iterator.peekNextKey())).toBe(hex(b('a')));
      expect(hex(iterator.next().value?.key)).toBe(hex(b('a')));
      expect(hex(iterator.peekNextKey())).toBe(hex(b('b')));
      iterator.next();
      expect(iterator.peekNextKey()).toBeUndefined();
      expect(iterator.next().done).toBe(true);
    });

    it('should let a processor delete entries while iterating over them', () => {
      const store = open();
      for (const k of ['a', 'b', 'c', 'd']) store.put(b(k), k);
      h.commit();
      store.put(b('e'), 'e');
      for (const { key } of store.all()) store.delete(key);
      expect(keys(store.all())).toEqual([]);
    });

    it('should count entries approximately', () => {
      const store = open();
      for (const k of ['a', 'b', 'c']) store.put(b(k), k);
      h.commit();
      expect(store.approximateNumEntries()).toBeGreaterThanOrEqual(3);
    });

    describe('iterators', () => {
      it('should close an iterator when a for...of loop breaks', () => {
        const store = open();
        for (const k of ['a', 'b', 'c']) store.put(b(k), k);
        h.commit();
        const internal = store as unknown as { openIteratorCount(): number };
        for (const entry of store.all()) {
          expect(internal.openIteratorCount()).toBe(1);
          if (entry.value === 'a') break;
        }
        expect(internal.openIteratorCount()).toBe(0);
      });

      it('should close an exhausted iterator', () => {
        const store = open();
        store.put(b('a'), 'a');
        const internal = store as unknown as { openIteratorCount(): number };
        const iterator = store.all();
        expect(internal.openIteratorCount()).toBe(1);
        expect(Array.from(iterator)).toHaveLength(1);
        expect(internal.openIteratorCount()).toBe(0);
      });

      it('should close open iterators when the store closes, and fail their further use', () => {
        const store = open();
        for (const k of ['a', 'b']) store.put(b(k), k);
        h.commit();
        const iterator = store.all();
        iterator.next();
        h.manager.close();
        expect(() => iterator.next()).toThrow(InvalidStateStoreError);
        expect((store as unknown as { openIteratorCount(): number }).openIteratorCount()).toBe(0);
      });
    });

    it('should throw InvalidStateStoreError naming the store when used after close', () => {
      const store = open('closed-store');
      h.manager.close();
      expect(() => store.get(b('a'))).toThrow(InvalidStateStoreError);
      expect(() => store.put(b('a'), 'x')).toThrow(/closed-store/);
      expect(store.isOpen()).toBe(false);
    });

    describe('commit protocol', () => {
      it('should drop uncommitted writes on abort and keep committed ones', () => {
        const store = open();
        store.put(b('kept'), '1');
        h.commit();
        store.put(b('kept'), '2');
        store.put(b('dropped'), '3');
        store.delete(b('kept'));
        h.manager.abort();
        expect(store.get(b('kept'))).toBe('1');
        expect(store.get(b('dropped'))).toBeUndefined();
        expect(keys(store.all())).toEqual(hexes([b('kept')]));
      });

      it(
        impl.persistent
          ? 'should keep committed data and its changelog offset across a reopen, and drop uncommitted data'
          : 'should start empty after a reopen, with no committed offset',
        () => {
          const store = open();
          store.put(b('a'), '1');
          h.commit({ [changelogKey('kv')]: 7 });
          store.put(b('b'), 'uncommitted');
          h.manager.flushCaches();
          h.reopen();
          const reopened = open();
          const [partition] = h.manager.changelogPartitions();
          if (impl.persistent) {
            expect(keys(reopened.all())).toEqual(hexes([b('a')]));
            expect(partition?.committedOffset).toBe(7);
          } else {
            expect(keys(reopened.all())).toEqual([]);
            expect(partition?.committedOffset).toBeUndefined();
          }
        },
      );

      it('should report the changelog partition with the offset of the last commit', () => {
        const store = open();
        expect(h.manager.changelogPartitions()).toEqual([
          { storeName: 'kv', topic: changelogTopic('kv'), partition: PARTITION, committedOffset: undefined },
        ]);
        store.put(b('a'), '1');
        h.commit({ [changelogKey('kv')]: 12, 'other-topic:0': 99 });
        expect(h.manager.changelogPartitions()[0]?.committedOffset).toBe(12);
      });
    });

    describe('change logging', () => {
      it('should send every write to the changelog with the exact key and value bytes', () => {
        const store = open();
        h.recordTime = 1000;
        store.put(b('k'), 'v1');
        h.recordTime = 2000;
        store.delete(b('k'));
        store.put(b([0]), '');
        expect(h.takeLogged()).toEqual(
          impl.caching
            ? [
                { topic: changelogTopic('kv'), partition: PARTITION, key: hex(b('k')), value: null, timestamp: 2000 },
                { topic: changelogTopic('kv'), partition: PARTITION, key: '00', value: '', timestamp: 2000 },
              ]
            : [
                {
                  topic: changelogTopic('kv'),
                  partition: PARTITION,
                  key: hex(b('k')),
                  value: hex(b('v1')),
                  timestamp: 1000,
                },
                { topic: changelogTopic('kv'), partition: PARTITION, key: hex(b('k')), value: null, timestamp: 2000 },
                { topic: changelogTopic('kv'), partition: PARTITION, key: '00', value: '', timestamp: 2000 },
              ],
        );
      });

      it('should not log and not report a changelog when logging is disabled', () => {
        const store = h.register(
          Stores.keyValueStoreBuilder(h.keyValueSupplier('quiet'), bytesSerde, stringSerde).withLoggingDisabled(),
        );
        store.put(b('k'), 'v');
        h.commit();
        expect(h.takeLogged()).toEqual([]);
        expect(h.manager.changelogPartitions()).toEqual([]);
      });
    });

    describe('restoration', () => {
      it('should apply a batch and record its last offset without logging', () => {
        const store = open();
        h.manager.restoreBatch(changelogTopic('kv'), PARTITION, [
          { key: b('a'), value: b('1'), offset: 10, timestamp: 1 },
          { key: b('b'), value: b('2'), offset: 11, timestamp: 2 },
          { key: b('a'), value: null, offset: 12, timestamp: 3 },
          { key: null, value: b('ignored'), offset: 13, timestamp: 4 },
        ]);
        expect(keys(store.all())).toEqual(hexes([b('b')]));
        expect(h.manager.changelogPartitions()[0]?.committedOffset).toBe(13);
        expect(h.takeLogged()).toEqual([]);
        if (impl.persistent) {
          h.reopen();
          const reopened = open();
          expect(keys(reopened.all())).toEqual(hexes([b('b')]));
          expect(h.manager.changelogPartitions()[0]?.committedOffset).toBe(13);
        }
      });

      it('should refuse to restore into a store with uncommitted writes', () => {
        const store = open();
        store.put(b('a'), '1');
        expect(() =>
          h.manager.restoreBatch(changelogTopic('kv'), PARTITION, [
            { key: b('a'), value: b('x'), offset: 0, timestamp: 0 },
          ]),
        ).toThrow(/uncommitted/);
      });
    });

    describe('timestamped', () => {
      const openTimestamped = (): TimestampedKeyValueStore<string, string> =>
        h.register(Stores.timestampedKeyValueStoreBuilder(h.keyValueSupplier('ts'), stringSerde, stringSerde));

      it('should store the value with its timestamp and log the plain value with that timestamp', () => {
        const store = openTimestamped();
        h.recordTime = 5;
        store.put('k', { value: 'v', timestamp: 1234 });
        expect(store.get('k')).toEqual({ value: 'v', timestamp: 1234 });
        h.commit();
        expect(store.get('k')).toEqual({ value: 'v', timestamp: 1234 });
        expect(h.takeLogged()).toEqual([
          { topic: changelogTopic('ts'), partition: PARTITION, key: hex(b('k')), value: hex(b('v')), timestamp: 1234 },
        ]);
      });

      it('should restore the timestamp from the changelog record timestamp', () => {
        const store = openTimestamped();
        h.manager.restoreBatch(changelogTopic('ts'), PARTITION, [
          { key: b('k'), value: b('v'), offset: 0, timestamp: 777 },
        ]);
        expect(store.get('k')).toEqual({ value: 'v', timestamp: 777 });
      });

      if (impl.persistent) {
        it('should store 8 bytes of timestamp before the value bytes', () => {
          const store = openTimestamped();
          store.put('k', { value: 'v', timestamp: 777 });
          h.commit();
          h.reopen();
          const raw = h.register(Stores.keyValueStoreBuilder(h.keyValueSupplier('ts'), stringSerde, bytesSerde));
          expect(hex(raw.get('k'))).toBe(hex(Buffer.concat([int64(777), b('v')])));
        });
      }
    });
  });
}
