import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueIterator, SessionStore, Windowed } from '@kaskade/processor-api';
import { Stores } from '../stores.js';
import type { SessionStoreOptions } from '../store-suppliers.js';
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

function sessions(iterator: KeyValueIterator<Windowed<Buffer>, string>): string[] {
  return Array.from(
    iterator,
    ({ key, value }) => `${key.key.toString('latin1')}[${key.window.start},${key.window.end}]=${value}`,
  );
}

const session = (key: Buffer, start: number, end: number): Windowed<Buffer> => ({ key, window: { start, end } });

export function sessionStoreContract(impl: StoreImplementation): void {
  describe('session store', () => {
    let h: Harness;
    beforeEach(() => {
      h = new Harness(impl);
    });
    afterEach(() => h.cleanup());

    const open = (options: Partial<SessionStoreOptions> = {}, name = 's'): SessionStore<Buffer, string> =>
      h.register(
        Stores.sessionStoreBuilder(
          h.sessionSupplier(name, { retentionMs: 100_000, ...options }),
          bytesSerde,
          stringSerde,
        ),
      );

    it('should fetch exactly one session, and remove it', () => {
      const store = open();
      store.put(session(b('k'), 10, 20), 'agg');
      expect(store.fetchSession(b('k'), 10, 20)).toBe('agg');
      expect(store.fetchSession(b('k'), 10, 21)).toBeUndefined();
      expect(store.fetchSession(b('k'), 11, 20)).toBeUndefined();
      h.commit();
      store.remove(session(b('k'), 10, 20));
      expect(store.fetchSession(b('k'), 10, 20)).toBeUndefined();
      store.put(session(b('k'), 10, 20), 'again');
      store.put(session(b('k'), 10, 20), null as unknown as string);
      expect(store.fetchSession(b('k'), 10, 20)).toBeUndefined();
    });

    it('should find the sessions ending at or after the earliest end and starting at or before the latest start', () => {
      const store = open();
      store.put(session(b('k'), 0, 10), 'A');
      h.commit();
      store.put(session(b('k'), 20, 30), 'B');
      store.put(session(b('k'), 40, 50), 'C');
      store.put(session(b('k', [0]), 20, 30), 'other');
      store.put(session(b('kk'), 20, 30), 'other');
      expect(sessions(store.findSessions(b('k'), 15, 45))).toEqual(['k[20,30]=B', 'k[40,50]=C']);
      expect(sessions(store.findSessions(b('k'), 10, 19))).toEqual(['k[0,10]=A']);
      expect(sessions(store.findSessions(b('k'), 11, 19))).toEqual([]);
      expect(sessions(store.findSessions(b('k'), 0, 100))).toEqual(['k[0,10]=A', 'k[20,30]=B', 'k[40,50]=C']);
    });

    it('should fetch all sessions of a key by end time, across segments, without keys that extend it', () => {
      const store = open();
      store.put(session(b('k'), 100_000, 100_000), 'late');
      store.put(session(b('k'), 0, 70_000), 'long');
      store.put(session(b('k'), 5, 5), 'point');
      store.put(session(b('k', [0]), 5, 5), 'other');
      store.put(session(b('ka'), 5, 5), 'other');
      expect(sessions(store.fetch(b('k')))).toEqual(['k[5,5]=point', 'k[0,70000]=long', 'k[100000,100000]=late']);
      expect(sessions(store.fetch(b('k', [0])))).toEqual(['k\0[5,5]=other']);
    });

    it('should find the sessions of all keys ending in a range: by end, start, then key', () => {
      const store = open({ retentionMs: 1_000_000, segmentIntervalMs: 1_000 });
      store.put(session(b('b'), 4_000, 4_500), 'next segment');
      store.put(session(b('z'), 500, 1_500), 'Z');
      store.put(session(b('a'), 1_500, 1_500), 'A');
      h.commit();
      store.put(session(b('c'), 0, 1_500), 'C'); // buffered, not committed: still found
      store.put(session(b('a', [0]), 1_500, 1_500), 'A0');
      store.put(session(b('y'), 2_999, 2_999), 'Y');
      store.put(session(b('x'), 10, 999), 'before');
      store.put(session(b('w'), 3_000, 3_000), 'after');
      store.remove(session(b('z'), 500, 1_500));
      expect(sessions(store.findSessionsByEnd(1_000, 2_999))).toEqual([
        'c[0,1500]=C',
        'a[1500,1500]=A',
        'a\0[1500,1500]=A0',
        'y[2999,2999]=Y',
      ]);
      expect(sessions(store.findSessionsByEnd(999, 999))).toEqual(['x[10,999]=before']);
      expect(sessions(store.findSessionsByEnd(3_001, 4_499))).toEqual([]);
      expect(sessions(store.findSessionsByEnd(5, 4))).toEqual([]);
    });

    it('should find sessions by end past retention until their segment is dropped at a commit', () => {
      const store = open({ retentionMs: 1_000, segmentIntervalMs: 500 });
      store.put(session(b('k'), 100, 100), 'old');
      store.put(session(b('k'), 1_200, 1_200), 'new');
      expect(sessions(store.fetch(b('k')))).toEqual(['k[1200,1200]=new']); // cut off at retention
      expect(sessions(store.findSessionsByEnd(0, 2_000))).toEqual(['k[100,100]=old', 'k[1200,1200]=new']);
      h.commit();
      store.put(session(b('k'), 1_600, 1_600), 'newer'); // segment [0, 500) expires: dropped at the commit
      expect(sessions(store.findSessionsByEnd(0, 1_200))).toEqual(['k[100,100]=old', 'k[1200,1200]=new']);
      h.commit();
      expect(sessions(store.findSessionsByEnd(0, 1_200))).toEqual(['k[1200,1200]=new']);
    });

    it('should support merging sessions: find the overlapping ones, remove them, put the merged one', () => {
      const store = open();
      const gap = 10;
      store.put(session(b('u'), 0, 10), '2');
      store.put(session(b('u'), 20, 30), '3');
      h.commit();
      const t = 15; // a record at 15 bridges both sessions
      const overlapping = Array.from(store.findSessions(b('u'), t - gap, t + gap));
      expect(overlapping.map((e) => e.key.window)).toEqual([
        { start: 0, end: 10 },
        { start: 20, end: 30 },
      ]);
      let total = 1;
      for (const { key, value } of overlapping) {
        total += Number(value);
        store.remove(key);
      }
      store.put(session(b('u'), 0, 30), String(total));
      expect(sessions(store.fetch(b('u')))).toEqual(['u[0,30]=6']);
      h.commit();
      expect(sessions(store.fetch(b('u')))).toEqual(['u[0,30]=6']);
    });

    it('should expire sessions by their end and ignore writes of expired sessions', () => {
      const store = open({ retentionMs: 1_000, segmentIntervalMs: 500 });
      store.put(session(b('k'), 0, 100), 'old');
      h.commit();
      store.put(session(b('k'), 1_900, 2_000), 'new');
      expect(sessions(store.fetch(b('k')))).toEqual(['k[1900,2000]=new']);
      store.put(session(b('k'), 0, 900), 'late');
      expect(store.fetchSession(b('k'), 0, 900)).toBeUndefined();
      expect(h.dropped).toEqual(['s: expired window']);
      h.commit();
      h.reopen();
      h.streamTime = 0;
      const reopened = open({ retentionMs: 1_000, segmentIntervalMs: 500 });
      expect(sessions(reopened.fetch(b('k')))).toEqual(impl.persistent ? ['k[1900,2000]=new'] : []);
    });

    it('should log key bytes + 8-byte end + 8-byte start', () => {
      const store = open();
      h.recordTime = 3;
      store.put(session(b('k', [0]), 5, 9), 'v');
      expect(h.takeLogged()).toEqual([
        {
          topic: changelogTopic('s'),
          partition: PARTITION,
          key: hex(Buffer.concat([b('k', [0]), int64(9), int64(5)])),
          value: hex(b('v')),
          timestamp: 3,
        },
      ]);
    });

    it('should restore sessions from changelog records', () => {
      const store = open();
      const key = (k: Buffer, start: number, end: number): Buffer => Buffer.concat([k, int64(end), int64(start)]);
      h.manager.restoreBatch(changelogTopic('s'), PARTITION, [
        { key: key(b('k'), 0, 10), value: b('A'), offset: 5, timestamp: 0 },
        { key: key(b('k', [0]), 3, 4), value: b('B'), offset: 6, timestamp: 0 },
        { key: key(b('k'), 20, 30), value: b('C'), offset: 7, timestamp: 0 },
        { key: key(b('k'), 20, 30), value: null, offset: 8, timestamp: 0 },
      ]);
      expect(sessions(store.fetch(b('k')))).toEqual(['k[0,10]=A']);
      expect(sessions(store.fetch(b('k', [0])))).toEqual(['k\0[3,4]=B']);
      expect(h.manager.changelogPartitions()[0]?.committedOffset).toBe(8);
      expect(h.takeLogged()).toEqual([]);
    });

    it(impl.persistent ? 'should keep committed sessions across a reopen' : 'should start empty after a reopen', () => {
      const store = open();
      store.put(session(b('k'), 0, 10), 'A');
      h.commit({ [changelogKey('s')]: 1 });
      h.reopen();
      expect(sessions(open().fetch(b('k')))).toEqual(impl.persistent ? ['k[0,10]=A'] : []);
    });
  });
}
