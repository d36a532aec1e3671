import { readInt64BE } from './bytes.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { RawEntry, RawIterator } from './raw-iterator.js';

/**
 * Every WRITES_PER_SWEEP-th write examines ENTRIES_PER_SWEEP entries: two per write on average, while each write adds
 * at most one, so the sweep keeps ahead of the writes (a pass over n entries every n/2 writes) at a fixed cost per
 * call. Batching opens one cursor per 8 writes instead of one per write.
 */
const WRITES_PER_SWEEP = 8;
const ENTRIES_PER_SWEEP = 2 * WRITES_PER_SWEEP;

/**
 * Expires the entries of a timestamped key-value store that were not written for `ttlMs` of stream time: an entry
 * whose stored timestamp (that of the record that last wrote it) is at or before stream time - TTL is expired. Reads
 * hide expired entries at once; the sweep deletes them — a tombstone in the changelog, so replicas and restored copies
 * lose them too — a few entries per write, walking the store in key order from where the last sweep stopped (no
 * index to rebuild after a restore: the timestamps are in the stored values).
 */
export class TtlSweeper {
  readonly ttlMs: number;
  /** Where the next sweep starts; undefined: at the first key. */
  #next: Buffer | undefined;
  #writes = 0;

  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }

  /** Whether a stored (timestamped) value is expired at stream time `nowMs`. */
  isExpired(storedValue: Buffer, nowMs: number): boolean {
    return readInt64BE(storedValue, 0) <= nowMs - this.ttlMs;
  }

  /** After a write: every few writes, deletes the expired ones among the next entries (tombstones at stream time). */
  afterWrite(bytes: KeyValueBytesStore, nowMs: number): void {
    if (++this.#writes < WRITES_PER_SWEEP) return;
    this.#writes = 0;
    this.#sweep(bytes, nowMs);
  }

  #sweep(bytes: KeyValueBytesStore, nowMs: number): void {
    let expired: Buffer[] | undefined;
    const entries = bytes.range(this.#next, undefined, true, false);
    try {
      for (let i = 0; i < ENTRIES_PER_SWEEP; i++) {
        const entry = entries.next();
        if (entry === undefined) break;
        if (this.isExpired(entry.value, nowMs)) (expired ??= []).push(Buffer.from(entry.key));
      }
      const next = entries.peek();
      // Copied: an LMDB key buffer is only valid while its cursor is open.
      this.#next = next === undefined ? undefined : Buffer.from(next.key);
    } finally {
      entries.close();
    }
    if (expired !== undefined) for (const key of expired) bytes.put(key, null, nowMs);
  }

  /** The entries of `source` that are not expired at `nowMs`. */
  unexpired(source: RawIterator, nowMs: number): RawIterator {
    return new UnexpiredIterator(source, (entry) => this.isExpired(entry.value, nowMs));
  }
}

class UnexpiredIterator implements RawIterator {
  readonly #source: RawIterator;
  readonly #expired: (entry: RawEntry) => boolean;

  constructor(source: RawIterator, expired: (entry: RawEntry) => boolean) {
    this.#source = source;
    this.#expired = expired;
  }

  peek(): RawEntry | undefined {
    let entry = this.#source.peek();
    while (entry !== undefined && this.#expired(entry)) {
      this.#source.next();
      entry = this.#source.peek();
    }
    return entry;
  }

  next(): RawEntry | undefined {
    const entry = this.peek();
    if (entry !== undefined) this.#source.next();
    return entry;
  }

  close(): void {
    this.#source.close();
  }
}
