import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueIterator, Windowed, WindowStore } from '@kaskade/processor-api';
import { Stores } from '../stores.js';
import type { WindowStoreOptions } from '../store-suppliers.js';
import type { StoreImplementation } from './contract-harness.js';
import {
  b,
  bytesSerde,
  changelogKey,
  changelogTopic,
  Harness,
  hex,
  int32,
  int64,
  PARTITION,
  stringSerde,
} from './contract-harness.js';

const SIZE = 10;

function windows(iterator: KeyValueIterator<Windowed<Buffer>, string>): string[] {
  return Array.from(iterator, ({ key, value }) => `${key.key.toString('latin1')}@${key.window.start}=${value}`);
}

export function windowStoreContract(impl: StoreImplementation): void {
  describe('window store', () => {
    let h: Harness;
    beforeEach(() => {
      h = new Harness(impl);
    });
    afterEach(() => h.cleanup());

    const open = (options: Partial<WindowStoreOptions> = {}, name = 'w'): WindowStore<Buffer, string> =>
      h.register(
        Stores.windowStoreBuilder(
          h.windowSupplier(name, { retentionMs: 100_000, windowSizeMs: SIZE, ...options }),
          bytesSerde,
          stringSerde,
        ),
      );

    it('should fetch the value of a key in a window, and delete it with null', () => {
      const store = open();
      store.put(b('a'), 'x', 100);
      expect(store.fetch(b('a'), 100)).toBe('x');
      expect(store.fetch(b('a'), 110)).toBeUndefined();
      expect(store.fetch(b('b'), 100)).toBeUndefined();
      h.commit();
      store.put(b('a'), 'y', 100);
      expect(store.fetch(b('a'), 100)).toBe('y');
      store.put(b('a'), null, 100);
      expect(store.fetch(b('a'), 100)).toBeUndefined();
    });

    it('should fetch the windows of one key in time order across segments, bounds inclusive', () => {
      const store = open();
      store.put(b('a'), 'w0', 0);
      store.put(b('a'), 'w59999', 59_999);
      store.put(b('ab'), 'other', 30_000);
      store.put(b('a', [0]), 'other', 30_000);
      h.commit();
      store.put(b('a'), 'w60000', 60_000);
      store.put(b('a'), 'w90000', 90_000);
      store.put(b(''), 'other', 30_000);
      const fetched = (from: number, to: number): string[] =>
        Array.from(store.fetch(b('a'), from, to), ({ key, value }) => `${key}=${value}`);
      expect(fetched(0, 100_000)).toEqual(['0=w0', '59999=w59999', '60000=w60000', '90000=w90000']);
      expect(fetched(59_999, 60_000)).toEqual(['59999=w59999', '60000=w60000']);
      expect(fetched(1, 59_998)).toEqual([]);
      expect(fetched(-50, 0)).toEqual(['0=w0']);
    });

    it('should fetch a key range exactly, with keys that are prefixes of each other', () => {
      const store = open();
      store.put(b('a'), '1', 10);
      store.put(b('a', [0]), '2', 5);
      h.commit();
      store.put(b('a'), '3', 0);
      store.put(b('ab'), '4', 5);
      store.put(b('b'), '5', 5);
      store.put(b(''), '6', 5);
      expect(windows(store.fetch(b('a'), b('ab'), 0, 1000))).toEqual(['a@0=3', 'a@10=1', 'a\0@5=2', 'ab@5=4']);
      expect(windows(store.fetch(b('a'), b('a'), 0, 1000))).toEqual(['a@0=3', 'a@10=1']);
      expect(windows(store.fetch(undefined, b('a', [0]), 5, 5))).toEqual(['@5=6', 'a\0@5=2']);
      expect(windows(store.fetch(b('ab'), undefined, 0, 1000))).toEqual(['ab@5=4', 'b@5=5']);
      expect(windows(store.fetch(b('b'), b('a'), 0, 1000))).toEqual([]);
    });

    it('should fetch all windows in a time range, and all windows', () => {
      const store = open();
      store.put(b('a'), '1', 0);
      store.put(b('b'), '2', 50);
      h.commit();
      store.put(b('a'), '3', 70_000);
      expect(windows(store.fetchAll(0, 50))).toEqual(['a@0=1', 'b@50=2']);
      expect(windows(store.fetchAll(1, 100_000))).toEqual(['b@50=2', 'a@70000=3']);
      expect(windows(store.all())).toEqual(['a@0=1', 'b@50=2', 'a@70000=3']);
    });

    it('should fetch backward: the same windows as forward, in reverse order', () => {
      const store = open();
      store.put(b('a'), '1', 0);
      store.put(b('b'), '2', 50);
      store.put(b('a'), '3', 40);
      h.commit();
      store.put(b('a'), '4', 70_000);
      store.put(b('ab'), '5', 45);
      const starts = (it: Iterable<{ key: number; value: string }>): string[] =>
        Array.from(it, ({ key, value }) => `${key}=${value}`);
      expect(starts(store.backwardFetch(b('a'), 0, 100_000))).toEqual(['70000=4', '40=3', '0=1']);
      expect(starts(store.backwardFetch(b('a'), 1, 50))).toEqual(['40=3']);
      expect(windows(store.backwardFetch(b('a'), b('ab'), 0, 100))).toEqual(
        windows(store.fetch(b('a'), b('ab'), 0, 100)).reverse(),
      );
      expect(windows(store.backwardFetch(b('a'), b('ab'), 0, 100))).toEqual(['ab@45=5', 'a@40=3', 'a@0=1']);
      expect(windows(store.backwardFetchAll(0, 100_000))).toEqual(windows(store.fetchAll(0, 100_000)).reverse());
      expect(windows(store.backwardAll())).toEqual(['a@70000=4', 'b@50=2', 'ab@45=5', 'a@40=3', 'a@0=1']);
    });

    it('should tell fetch overloads apart: one window, one key over time, keys over time', () => {
      const store = open();
      store.put(b('a'), 'x', 10);
      store.put(b('b'), 'y', 10);
      expect(store.fetch(b('a'), 10)).toBe('x');
      expect(store.fetch(b('a'), 11)).toBeUndefined();
      expect(Array.from(store.fetch(b('a'), 0, 10), (e) => e.key)).toEqual([10]);
      expect(windows(store.fetch(undefined, undefined, 0, 10))).toEqual(['a@10=x', 'b@10=y']);
      const empty = store.backwardFetch(b('c'), 0, 10);
      expect(empty.peekNextKey()).toBeUndefined();
      expect(empty.next().done).toBe(true);
      empty.close();
    });

    it('should give windowed keys the window end start + size', () => {
      const store = open();
      store.put(b('a'), '1', 20);
      const [entry] = Array.from(store.all());
      expect(entry?.key.window).toEqual({ start: 20, end: 20 + SIZE });
    });

    it('should reject negative window starts', () => {
      const store = open();
      expect(() => store.put(b('a'), 'x', -1)).toThrow(RangeError);
    });

    describe('retaining duplicates', () => {
      it('should keep every put as its own entry and ignore null', () => {
        const store = open({ retainDuplicates: true });
        store.put(b('a'), 'first', 0);
        h.commit();
        store.put(b('a'), 'second', 0);
        store.put(b('a'), null, 0);
        expect(Array.from(store.fetch(b('a'), 0, 0), (e) => e.value)).toEqual(['first', 'second']);
        expect(store.fetch(b('a'), 0)).toBe('first');
      });

      it('should log keys with a 4-byte sequence number after the window start', () => {
        const store = open({ retainDuplicates: true });
        store.put(b('a'), 'first', 7);
        store.put(b('a'), 'second', 7);
        expect(h.takeLogged().map((r) => r.key)).toEqual([
          hex(Buffer.concat([b('a'), int64(7), int32(1)])),
          hex(Buffer.concat([b('a'), int64(7), int32(2)])),
        ]);
      });
    });

    describe('retention', () => {
      const options = { retentionMs: 1_000, segmentIntervalMs: 500 };

      it('should drop expired windows as stream time advances, and ignore writes to them', () => {
        const store = open(options);
        store.put(b('a'), 'old', 0);
        h.commit();
        h.takeLogged();
        store.put(b('a'), 'edge', 1_001); // stream time 1001: windows starting before 2 are expired
        store.put(b('a'), 'new', 2_000); // stream time 2000: windows starting before 1001 are expired
        expect(store.fetch(b('a'), 0)).toBeUndefined();
        expect(Array.from(store.fetch(b('a'), 0, 3_000), (e) => e.key)).toEqual([1_001, 2_000]);
        store.put(b('a'), 'late', 500);
        store.put(b('b'), 'late', 1_000);
        expect(store.fetch(b('a'), 500)).toBeUndefined();
        expect(h.dropped).toEqual(['w: expired window', 'w: expired window']);
        expect(h.takeLogged().map((r) => r.value)).toEqual([hex(b('edge')), hex(b('new'))]);
        h.commit();
        h.reopen();
        // Stream time starts over after a reopen: the old window stays gone only if its segment was dropped.
        h.streamTime = 0;
        const reopened = open(options);
        expect(windows(reopened.all())).toEqual(impl.persistent ? ['a@1001=edge', 'a@2000=new'] : []);
      });

      // Kafka Streams' AbstractRocksDBSegmentedBytesStore: observedStreamTime is the largest time put into the store.
      it("should expire windows by the store's own observed time, not the task's stream time", () => {
        const store = open(options);
        store.put(b('a'), 'old', 0);
        store.put(b('a'), 'young', 800);
        h.streamTime = 1_500; // another store or input advanced the task: nothing expires here
        expect(windows(store.all())).toEqual(['a@0=old', 'a@800=young']);
        store.put(b('a'), 'late', 10); // 10 > 800 - 1000: still live for this store
        expect(store.fetch(b('a'), 10)).toBe('late');
        store.put(b('b'), 'newer', 1_200); // this store observes 1200: windows before 201 expire
        expect(windows(store.all())).toEqual(['a@800=young', 'b@1200=newer']);
        store.put(b('a'), 'too-late', 200);
        expect(store.fetch(b('a'), 200)).toBeUndefined();
      });

      it('should bring an expired segment back when the commit that would drop it is aborted', () => {
        const store = open(options);
        store.put(b('a'), 'old', 0);
        h.commit();
        store.put(b('a'), 'new', 5_000);
        expect(store.fetch(b('a'), 0)).toBeUndefined();
        h.manager.abort();
        expect(windows(store.all())).toEqual(['a@0=old']);
      });
    });

    it('should log key bytes + 8-byte window start, unescaped, and null for deletes', () => {
      const store = open();
      h.recordTime = 42;
      store.put(b('a', [0]), 'v', 0x0102);
      store.put(b('a', [0]), null, 0x0102);
      const expectedKey = hex(Buffer.concat([b('a', [0]), int64(0x0102)]));
      expect(h.takeLogged()).toEqual(
        impl.caching
          ? [{ topic: changelogTopic('w'), partition: PARTITION, key: expectedKey, value: null, timestamp: 42 }]
          : [
              { topic: changelogTopic('w'), partition: PARTITION, key: expectedKey, value: hex(b('v')), timestamp: 42 },
              { topic: changelogTopic('w'), partition: PARTITION, key: expectedKey, value: null, timestamp: 42 },
            ],
      );
    });

    it('should restore from changelog records, skip expired ones, and not log', () => {
      const store = open({ retentionMs: 1_000, segmentIntervalMs: 500 });
      const key = (k: Buffer, t: number): Buffer => Buffer.concat([k, int64(t)]);
      h.manager.restoreBatch(changelogTopic('w'), PARTITION, [
        { key: key(b('a'), 0), value: b('expired'), offset: 0, timestamp: 0 },
        { key: key(b('a', [0]), 3_000), value: b('x'), offset: 1, timestamp: 0 },
        { key: key(b('a'), 3_000), value: b('y'), offset: 2, timestamp: 0 },
        { key: key(b('a'), 2_500), value: b('z'), offset: 3, timestamp: 0 },
        { key: key(b('a'), 2_500), value: null, offset: 4, timestamp: 0 },
      ]);
      expect(windows(store.all())).toEqual(['a@3000=y', 'a\0@3000=x']);
      expect(h.manager.changelogPartitions()[0]?.committedOffset).toBe(4);
      expect(h.takeLogged()).toEqual([]);
    });

    it(impl.persistent ? 'should keep committed windows across a reopen' : 'should start empty after a reopen', () => {
      const store = open();
      store.put(b('a'), '1', 0);
      store.put(b('a'), '2', 70_000);
      h.commit({ [changelogKey('w')]: 3 });
      h.reopen();
      const reopened = open();
      expect(windows(reopened.all())).toEqual(impl.persistent ? ['a@0=1', 'a@70000=2'] : []);
    });

    it('should store and log timestamped values like key-value stores do', () => {
      const store = h.register(
        Stores.timestampedWindowStoreBuilder(
          h.windowSupplier('tw', { retentionMs: 100_000, windowSizeMs: SIZE }),
          stringSerde,
          stringSerde,
        ),
      );
      store.put('k', { value: 'v', timestamp: 99 }, 0);
      expect(store.fetch('k', 0)).toEqual({ value: 'v', timestamp: 99 });
      expect(h.takeLogged()).toEqual([
        {
          topic: changelogTopic('tw'),
          partition: PARTITION,
          key: hex(Buffer.concat([b('k'), int64(0)])),
          value: hex(b('v')),
          timestamp: 99,
        },
      ]);
    });
  });
}
