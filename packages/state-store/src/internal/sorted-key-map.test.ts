import { describe, expect, it } from 'vitest';
import { SortedKeyMap } from './sorted-key-map.js';

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function keysOf(map: SortedKeyMap<number>, lo?: string, hi?: string, hiInclusive = true, reverse = false): string[] {
  const cursor = map.cursor(lo, hi, hiInclusive, reverse);
  const out: string[] = [];
  for (let key = cursor.peekKey(); key !== undefined; key = cursor.peekKey()) {
    out.push(key);
    cursor.advance();
  }
  return out;
}

describe('SortedKeyMap', () => {
  it('should iterate keys in byte order within bounds, forwards and backwards, across many chunks', () => {
    const next = random(7);
    const map = new SortedKeyMap<number>();
    const model = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const key = String.fromCharCode(Math.floor(next() * 256), Math.floor(next() * 256), Math.floor(next() * 4));
      if (i === 100) keysOf(map); // switch to the incrementally maintained index early
      if (next() < 0.25) {
        map.delete(key);
        model.delete(key);
      } else {
        map.set(key, i);
        model.add(key);
      }
    }
    const sorted = Array.from(model).sort();
    expect(map.size).toBe(sorted.length);
    expect(keysOf(map)).toEqual(sorted);
    const lo = '\x40';
    const hi = '\xa0\x10';
    const inRange = sorted.filter((k) => k >= lo && k <= hi);
    expect(keysOf(map, lo, hi)).toEqual(inRange);
    expect(keysOf(map, lo, hi, true, true)).toEqual([...inRange].reverse());
    expect(keysOf(map, lo, hi, false)).toEqual(sorted.filter((k) => k >= lo && k < hi));
    expect(keysOf(map, lo, hi, false, true)).toEqual(sorted.filter((k) => k >= lo && k < hi).reverse());
  });

  it('should keep a cursor consistent while keys are added and removed', () => {
    const map = new SortedKeyMap<number>();
    for (const k of ['a', 'c', 'e', 'g']) map.set(k, 0);
    const cursor = map.cursor(undefined, undefined, true, false);
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      seen.push(cursor.peekKey()!);
      cursor.advance();
    }
    map.delete('e'); // not reached yet: skipped
    map.set('f', 0); // not reached yet: seen
    map.set('b', 0); // behind the cursor: not seen
    map.delete('a'); // already passed
    for (let key = cursor.peekKey(); key !== undefined; key = cursor.peekKey()) {
      seen.push(key);
      cursor.advance();
    }
    expect(seen).toEqual(['a', 'c', 'f', 'g']);
  });

  it('should keep a descending cursor consistent while keys are removed', () => {
    const map = new SortedKeyMap<number>();
    for (const k of ['a', 'b', 'c', 'd']) map.set(k, 0);
    const cursor = map.cursor(undefined, undefined, true, true);
    const seen: string[] = [];
    for (let key = cursor.peekKey(); key !== undefined; key = cursor.peekKey()) {
      seen.push(key);
      map.delete(key);
      cursor.advance();
    }
    expect(seen).toEqual(['d', 'c', 'b', 'a']);
    expect(map.size).toBe(0);
  });

  it('should return to unordered mode on clear', () => {
    const map = new SortedKeyMap<number>();
    map.set('b', 1);
    expect(keysOf(map)).toEqual(['b']);
    map.clear();
    map.set('a', 1);
    map.set('c', 1);
    expect(keysOf(map)).toEqual(['a', 'c']);
    expect(map.get('c')).toBe(1);
  });
});
