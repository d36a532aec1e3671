import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueStore, StateStore, StoreBuilder } from '@kaskade/processor-api';
import { IllegalStateError, InvalidStateStoreError } from '@kaskade/processor-api';
import { Stores } from '../stores.js';
import type { StoreImplementation } from './contract-harness.js';
import { b, bytesSerde, changelogKey, changelogTopic, Harness, PARTITION, stringSerde } from './contract-harness.js';

export function taskStateManagerContract(impl: StoreImplementation): void {
  describe('task state manager', () => {
    let h: Harness;
    beforeEach(() => {
      h = new Harness(impl);
    });
    afterEach(() => h.cleanup());

    const open = (name: string): KeyValueStore<Buffer, string> =>
      h.register(Stores.keyValueStoreBuilder(h.keyValueSupplier(name), bytesSerde, stringSerde));

    it('should commit the writes of all stores with their offsets together', () => {
      const one = open('one');
      const two = open('two');
      one.put(b('a'), '1');
      two.put(b('b'), '2');
      h.commit({ [changelogKey('one')]: 5, [changelogKey('two')]: 8 });
      one.put(b('a'), 'uncommitted');
      h.reopen();
      const reopenedOne = open('one');
      const reopenedTwo = open('two');
      const offsets = h.manager.changelogPartitions().map((p) => [p.storeName, p.committedOffset]);
      if (impl.persistent) {
        expect([reopenedOne.get(b('a')), reopenedTwo.get(b('b'))]).toEqual(['1', '2']);
        expect(offsets).toEqual([
          ['one', 5],
          ['two', 8],
        ]);
      } else {
        expect([reopenedOne.get(b('a')), reopenedTwo.get(b('b'))]).toEqual([undefined, undefined]);
        expect(offsets).toEqual([
          ['one', undefined],
          ['two', undefined],
        ]);
      }
    });

    it('should keep a changelog offset when a commit does not mention it', () => {
      const store = open('kv');
      store.put(b('a'), '1');
      h.commit({ [changelogKey('kv')]: 5 });
      h.commit({});
      expect(h.manager.changelogPartitions()[0]?.committedOffset).toBe(5);
    });

    it('should restore from a given partition without logging when logging is disabled', () => {
      const store = h.manager.register(
        Stores.keyValueStoreBuilder(h.keyValueSupplier('table'), stringSerde, stringSerde).withLoggingDisabled(),
        { topic: 'source-topic', partition: PARTITION },
      );
      expect(h.manager.changelogPartitions()).toEqual([
        { storeName: 'table', topic: 'source-topic', partition: PARTITION, committedOffset: undefined },
      ]);
      h.manager.restoreBatch('source-topic', PARTITION, [{ key: b('k'), value: b('v'), offset: 3, timestamp: 0 }]);
      store.put('k2', 'v2');
      h.commit();
      expect(store.get('k')).toBe('v');
      expect(h.takeLogged()).toEqual([]);
    });

    it('should refuse a store name registered twice, a foreign store, and a changelog nobody restores from', () => {
      open('kv');
      expect(() => open('kv')).toThrow(IllegalStateError);
      const foreign: StoreBuilder<StateStore> = {
        name: 'foreign',
        loggingEnabled: false,
        logConfig: {},
        cachingEnabled: false,
        withLoggingEnabled: () => foreign,
        withLoggingDisabled: () => foreign,
        withCachingEnabled: () => foreign,
        withCachingDisabled: () => foreign,
        build: () => ({ name: 'foreign', persistent: false, isOpen: () => true }),
      };
      expect(() => h.manager.register(foreign)).toThrow(/not built by @kaskade\/state-store/);
      expect(() => h.manager.restoreBatch('nobody', 0, [])).toThrow(IllegalStateError);
    });

    it('should refuse everything after close', () => {
      open('kv');
      h.manager.close();
      expect(() => open('other')).toThrow(InvalidStateStoreError);
      expect(() => h.manager.commit(new Map())).toThrow(InvalidStateStoreError);
      expect(() => h.manager.close()).not.toThrow();
    });

    if (impl.persistent) {
      describe('unreadable state', () => {
        const lmdbDir = (): string => path.join(h.dir, 'lmdb');

        for (const [what, corrupt] of [
          ['a garbage data file', () => fs.writeFileSync(path.join(lmdbDir(), 'data.mdb'), 'not lmdb'.repeat(2000))],
          ['a zeroed data file', () => fs.writeFileSync(path.join(lmdbDir(), 'data.mdb'), Buffer.alloc(16384))],
          [
            'a truncated data file',
            () => {
              const file = path.join(lmdbDir(), 'data.mdb');
              fs.truncateSync(file, fs.statSync(file).size - 4096);
            },
          ],
          [
            'a file where the directory should be',
            () => {
              fs.rmSync(lmdbDir(), { recursive: true });
              fs.writeFileSync(lmdbDir(), 'garbage');
            },
          ],
        ] as const) {
          it(`should reset ${what}, log its path, and start empty`, () => {
            const store = open('kv');
            for (let i = 0; i < 200; i++) store.put(b(`key-${i}`), 'x'.repeat(100));
            h.commit({ [changelogKey('kv')]: 41 });
            h.manager.close();
            corrupt();
            h.open();
            const reopened = open('kv');
            expect(h.manager.wasReset).toBe(true);
            expect(h.messages.join('\n')).toContain(lmdbDir());
            expect(reopened.get(b('key-1'))).toBeUndefined();
            expect(h.manager.changelogPartitions()[0]?.committedOffset).toBeUndefined();
            reopened.put(b('a'), '1');
            h.commit({ [changelogKey('kv')]: 1 });
            expect(reopened.get(b('a'))).toBe('1');
          });
        }

        it('should not reset a healthy directory', () => {
          open('kv').put(b('a'), '1');
          h.commit();
          h.reopen();
          expect(open('kv').get(b('a'))).toBe('1');
          expect(h.manager.wasReset).toBe(false);
          expect(h.messages).toEqual([]);
        });

        it('should wipe and restore only the store whose segments do not fit its segment interval', () => {
          const windows = (interval: number) =>
            h.register(
              Stores.windowStoreBuilder(
                h.windowSupplier('w', { retentionMs: 1_000_000, windowSizeMs: 10, segmentIntervalMs: interval }),
                stringSerde,
                stringSerde,
              ),
            );
          open('kv').put(b('a'), '1');
          windows(60_000).put('k', 'v', 60_000);
          h.commit({ [changelogKey('kv')]: 1, [`${changelogTopic('w')}:${PARTITION}`]: 2 });
          h.reopen();
          const kv = open('kv');
          const w = windows(70_000);
          expect(kv.get(b('a'))).toBe('1');
          expect(w.fetch('k', 60_000)).toBeUndefined();
          expect(h.manager.changelogPartitions().map((p) => p.committedOffset)).toEqual([1, undefined]);
          expect(h.messages.join('\n')).toMatch(/segment interval/);
        });
      });
    } else {
      it('should not create an LMDB directory for in-memory stores', () => {
        open('kv').put(b('a'), '1');
        h.commit();
        expect(fs.existsSync(path.join(h.dir, 'lmdb'))).toBe(false);
        expect(h.manager.wasReset).toBe(false);
      });
    }
  });
}
