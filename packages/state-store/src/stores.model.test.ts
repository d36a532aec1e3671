// Random operations against a model (a plain Map), for every implementation: catches merge-order mistakes between
// the record cache, the write buffer and committed data that hand-written cases miss.
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyValueStore, WindowStore } from '@kaskade/processor-api';
import { Stores } from './stores.js';
import type { StoreImplementation } from './contract/contract-harness.js';
import { bytesSerde, Harness, stringSerde } from './contract/contract-harness.js';

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BYTES = [0x00, 0x01, 0x61, 0xff];

const implementations: StoreImplementation[] = [
  { name: 'LMDB', persistent: true, caching: false },
  { name: 'LMDB with caching', persistent: true, caching: true },
  { name: 'in-memory', persistent: false, caching: false },
  { name: 'in-memory with caching', persistent: false, caching: true },
];

for (const impl of implementations) {
  describe(`${impl.name} stores against a model`, () => {
    let h: Harness;
    afterEach(() => h.cleanup());
    // A fixed 3 000-step workload: about 1 s alone, but over vitest's default 5 s on a loaded machine.
    const MODEL_TIMEOUT_MS = 30_000;

    it(
      'should behave like a sorted map under random writes, reads, scans, commits, aborts and reopens',
      { timeout: MODEL_TIMEOUT_MS },
      () => {
        h = new Harness(impl);
        h.cacheMaxBytes = 1_000; // small: evictions happen
        const next = random(impl.name.length * 7919);
        const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
        const randomKey = (): Buffer => Buffer.from(Array.from({ length: Math.floor(next() * 4) }, () => pick(BYTES)));
        const id = (key: Buffer): string => key.toString('latin1');
        const open = (): KeyValueStore<Buffer, string> =>
          h.register(Stores.keyValueStoreBuilder(h.keyValueSupplier('model'), bytesSerde, stringSerde));
        let store = open();
        let committed = new Map<string, string>();
        let current = new Map<string, string>();
        const expectedRange = (lo: Buffer | undefined, hi: Buffer | undefined, reverse: boolean): string[] => {
          const keys = Array.from(current.keys())
            .filter((k) => (lo === undefined || k >= id(lo)) && (hi === undefined || k <= id(hi)))
            .sort();
          return (reverse ? keys.reverse() : keys).map(
            (k) => `${Buffer.from(k, 'latin1').toString('hex')}=${current.get(k)}`,
          );
        };
        const actual = (it: Iterable<{ key: Buffer; value: string }>): string[] =>
          Array.from(it, (e) => `${e.key.toString('hex')}=${e.value}`);

        for (let step = 0; step < 3_000; step++) {
          const op = next();
          if (op < 0.4) {
            const key = randomKey();
            const value = `v${step}`;
            store.put(key, value);
            current.set(id(key), value);
          } else if (op < 0.55) {
            const key = randomKey();
            expect(store.delete(key)).toBe(current.get(id(key)));
            current.delete(id(key));
          } else if (op < 0.7) {
            const key = randomKey();
            expect(store.get(key)).toBe(current.get(id(key)));
          } else if (op < 0.85) {
            let lo: Buffer | undefined = next() < 0.2 ? undefined : randomKey();
            let hi: Buffer | undefined = next() < 0.2 ? undefined : randomKey();
            if (lo !== undefined && hi !== undefined && Buffer.compare(lo, hi) > 0) [lo, hi] = [hi, lo];
            const reverse = next() < 0.5;
            const scanned = actual(reverse ? store.reverseRange(lo, hi) : store.range(lo, hi));
            expect(scanned).toEqual(expectedRange(lo, hi, reverse));
          } else if (op < 0.95) {
            h.commit();
            committed = new Map(current);
          } else if (op < 0.98) {
            h.manager.abort();
            current = new Map(committed);
          } else {
            h.reopen();
            store = open();
            if (!impl.persistent) committed = new Map();
            current = new Map(committed);
          }
        }
        expect(actual(store.all())).toEqual(expectedRange(undefined, undefined, false));
      },
    );

    it('should fetch windows like a model under random puts and commits', { timeout: MODEL_TIMEOUT_MS }, () => {
      h = new Harness(impl);
      h.cacheMaxBytes = 1_000;
      const next = random(impl.name.length * 104729);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
      const randomKey = (): Buffer => Buffer.from(Array.from({ length: Math.floor(next() * 3) }, () => pick(BYTES)));
      const store: WindowStore<Buffer, string> = h.register(
        Stores.windowStoreBuilder(
          h.windowSupplier('wmodel', { retentionMs: 10_000_000, windowSizeMs: 1, segmentIntervalMs: 1_000 }),
          bytesSerde,
          stringSerde,
        ),
      );
      const model = new Map<string, string>(); // `${key hex}@${time padded}` -> value
      const mkey = (key: Buffer, t: number): string => `${key.toString('hex')}@${String(t).padStart(8, '0')}`;
      for (let step = 0; step < 2_000; step++) {
        const op = next();
        const key = randomKey();
        if (op < 0.5) {
          const t = Math.floor(next() * 5_000);
          if (next() < 0.2) {
            store.put(key, null, t);
            model.delete(mkey(key, t));
          } else {
            store.put(key, `v${step}`, t);
            model.set(mkey(key, t), `v${step}`);
          }
        } else if (op < 0.9) {
          const from = Math.floor(next() * 5_000);
          const to = from + Math.floor(next() * 2_000);
          const expected = Array.from(model.entries())
            .filter(([k]) => k.startsWith(`${key.toString('hex')}@`))
            .map(([k, v]) => [Number(k.split('@')[1]), v] as const)
            .filter(([t]) => t >= from && t <= to)
            .sort((x, y) => x[0] - y[0])
            .map(([t, v]) => `${t}=${v}`);
          expect(Array.from(store.fetch(key, from, to), (e) => `${e.key}=${e.value}`)).toEqual(expected);
        } else {
          h.commit();
        }
      }
    });
  });
}
