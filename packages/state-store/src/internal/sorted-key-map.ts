// An ordered map keyed by latin1 strings (one char per byte, see bytes.ts): a Map for O(1) point operations, plus a
// sorted index for range reads that is built only when the first range read comes (many stores are only ever used
// with get/put, e.g. aggregations) and then maintained incrementally.
//
// The sorted index is a list of sorted chunks (the idea of Python's `sortedcontainers`): inserting or removing costs
// a binary search plus a splice within one chunk of at most 2 * CHUNK keys, so it stays cheap for large write buffers,
// caches and in-memory stores, where one sorted array would memmove the whole array on every new key.

const CHUNK = 512;

export class SortedKeyMap<V> {
  readonly #map = new Map<string, V>();
  /** Sorted chunks of keys; undefined until the first range read. */
  #chunks: string[][] | undefined;
  /** Last (largest) key of each chunk, for the binary search over chunks. */
  #maxes: string[] = [];
  /** Changes whenever the key set changes, so that cursors know to re-seek. */
  #version = 0;

  get size(): number {
    return this.#map.size;
  }

  get version(): number {
    return this.#version;
  }

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  has(key: string): boolean {
    return this.#map.has(key);
  }

  set(key: string, value: V): void {
    const size = this.#map.size;
    this.#map.set(key, value);
    if (this.#map.size !== size) {
      this.#version++;
      if (this.#chunks !== undefined) this.#insert(key);
    }
  }

  delete(key: string): boolean {
    if (!this.#map.delete(key)) return false;
    this.#version++;
    if (this.#chunks !== undefined) this.#remove(key);
    return true;
  }

  clear(): void {
    this.#map.clear();
    this.#chunks = undefined;
    this.#maxes = [];
    this.#version++;
  }

  /** Values in insertion order (not key order). */
  values(): IterableIterator<V> {
    return this.#map.values();
  }

  /**
   * A cursor over the keys in [lo, hi] (`hi` exclusive unless `hiInclusive`; undefined bounds are open), ascending or
   * descending. The cursor tolerates writes to the map while it is open: it re-seeks after the last key it returned.
   */
  cursor(lo: string | undefined, hi: string | undefined, hiInclusive: boolean, reverse: boolean): MapCursor<V> {
    return new MapCursor(this, lo, hi, hiInclusive, reverse);
  }

  // ---- sorted index (used by MapCursor) ----

  /** @internal */
  chunks(): string[][] {
    if (this.#chunks === undefined) {
      const keys = Array.from(this.#map.keys()).sort();
      const chunks: string[][] = [];
      for (let i = 0; i < keys.length; i += CHUNK) chunks.push(keys.slice(i, i + CHUNK));
      this.#chunks = chunks;
      this.#maxes = chunks.map((c) => c[c.length - 1]!);
    }
    return this.#chunks;
  }

  /** @internal Position [chunk, index] of the first key >= key (or > key when `strict`); chunk = length at the end. */
  locate(key: string, strict: boolean): [number, number] {
    const chunks = this.chunks();
    const maxes = this.#maxes;
    let lo = 0;
    let hi = maxes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = maxes[mid]!;
      if (strict ? m > key : m >= key) hi = mid;
      else lo = mid + 1;
    }
    if (lo === chunks.length) return [lo, 0];
    return [lo, searchChunk(chunks[lo]!, key, strict)];
  }

  #insert(key: string): void {
    const chunks = this.#chunks!;
    const maxes = this.#maxes;
    if (chunks.length === 0) {
      chunks.push([key]);
      maxes.push(key);
      return;
    }
    let [c] = this.locate(key, false);
    if (c === chunks.length) c = chunks.length - 1;
    const chunk = chunks[c]!;
    const j = searchChunk(chunk, key, false);
    chunk.splice(j, 0, key);
    if (j === chunk.length - 1) maxes[c] = key;
    if (chunk.length > 2 * CHUNK) {
      const right = chunk.splice(CHUNK);
      chunks.splice(c + 1, 0, right);
      maxes[c] = chunk[chunk.length - 1]!;
      maxes.splice(c + 1, 0, right[right.length - 1]!);
    }
  }

  #remove(key: string): void {
    const chunks = this.#chunks!;
    const [c, j] = this.locate(key, false);
    const chunk = chunks[c];
    if (chunk === undefined || chunk[j] !== key) return;
    chunk.splice(j, 1);
    if (chunk.length === 0) {
      chunks.splice(c, 1);
      this.#maxes.splice(c, 1);
    } else if (j === chunk.length) {
      this.#maxes[c] = chunk[j - 1]!;
    }
  }
}

/** Index of the first key >= key (> key when strict) in a sorted chunk. */
function searchChunk(chunk: readonly string[], key: string, strict: boolean): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = chunk[mid]!;
    if (strict ? m > key : m >= key) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Walks the keys of a `SortedKeyMap` within bounds. Positions are only trusted while the map's key set is unchanged;
 * after a change the cursor seeks again from the last key it passed, so writes during iteration are safe (the cursor
 * is weakly consistent: it sees changes to keys it has not reached yet).
 */
export class MapCursor<V> {
  readonly #map: SortedKeyMap<V>;
  readonly #lo: string | undefined;
  readonly #hi: string | undefined;
  readonly #hiInclusive: boolean;
  readonly #reverse: boolean;
  #chunk = 0;
  #index = 0;
  #version = -1;
  /** The last key advanced past; undefined before the first advance. */
  #last: string | undefined;
  /** The key the last peek returned. */
  #current: string | undefined;
  #done = false;

  constructor(
    map: SortedKeyMap<V>,
    lo: string | undefined,
    hi: string | undefined,
    hiInclusive: boolean,
    reverse: boolean,
  ) {
    this.#map = map;
    this.#lo = lo;
    this.#hi = hi;
    this.#hiInclusive = hiInclusive;
    this.#reverse = reverse;
  }

  /** The current key, or undefined at the end. */
  peekKey(): string | undefined {
    if (this.#done) return undefined;
    if (this.#version !== this.#map.version) this.#seek();
    const key = this.#map.chunks()[this.#chunk]?.[this.#index];
    if (
      key === undefined ||
      (this.#reverse
        ? this.#lo !== undefined && key < this.#lo
        : this.#hi !== undefined && (key > this.#hi || (key === this.#hi && !this.#hiInclusive)))
    ) {
      this.#current = undefined;
      return undefined;
    }
    this.#current = key;
    return key;
  }

  /** The value at the current key, or undefined at the end. */
  peek(): V | undefined {
    const key = this.peekKey();
    return key === undefined ? undefined : this.#map.get(key);
  }

  /** Moves past the key last returned by `peekKey`/`peek` (even if the map changed since). */
  advance(): void {
    const key = this.#current ?? this.peekKey();
    if (key === undefined) {
      this.#done = true;
      return;
    }
    this.#last = key;
    this.#current = undefined;
    // After a change to the key set the position is stale: the next peek seeks from #last instead.
    if (this.#version !== this.#map.version) return;
    const chunks = this.#map.chunks();
    if (this.#reverse) {
      if (this.#index > 0) this.#index--;
      else {
        this.#chunk--;
        this.#index = this.#chunk >= 0 ? chunks[this.#chunk]!.length - 1 : 0;
      }
    } else if (++this.#index >= chunks[this.#chunk]!.length) {
      this.#chunk++;
      this.#index = 0;
    }
  }

  #seek(): void {
    const map = this.#map;
    const chunks = map.chunks();
    this.#version = map.version;
    if (!this.#reverse) {
      if (this.#last !== undefined) [this.#chunk, this.#index] = map.locate(this.#last, true);
      else if (this.#lo !== undefined) [this.#chunk, this.#index] = map.locate(this.#lo, false);
      else [this.#chunk, this.#index] = [0, 0];
      return;
    }
    // Descending: the position just before the first key >= (or >) the bound.
    let c: number;
    let i: number;
    if (this.#last !== undefined) [c, i] = map.locate(this.#last, false);
    else if (this.#hi !== undefined) [c, i] = map.locate(this.#hi, this.#hiInclusive);
    else [c, i] = [chunks.length, 0];
    if (i > 0) i--;
    else {
      c--;
      i = c >= 0 ? chunks[c]!.length - 1 : 0;
    }
    this.#chunk = c;
    this.#index = i;
  }
}
