// The record cache of a task (Kafka Streams' ThreadCache, here one per TaskStateManager): entries of all caching
// stores share one byte budget and one LRU list. When a write takes the cache over budget, the least recently used
// entries are evicted; a dirty entry is flushed first (to the changelog and the write buffer), so nothing is lost.
//
// The LRU list is intrusive (prev/next on the entries): touching an entry on every read/write is two pointer swaps,
// with no Map or allocation.
import type { OverlayEntry } from './raw-iterator.js';

/**
 * Approximate per-entry memory beyond key and value bytes: the entry object, its map slot, the latin1 key string and
 * the key and value Buffer objects. Measured (heap after a full GC, 400 000 entries of 4-byte keys and 8-byte values):
 * 365 bytes an entry. It was 96, so a "10 MiB" cache of small entries held ~35 MB.
 */
export const CACHE_ENTRY_OVERHEAD_BYTES = 360;

export interface CacheEntry extends OverlayEntry {
  readonly id: string;
  value: Buffer | null;
  /** Written since the last flush: the change has not reached the changelog or the write buffer yet. */
  dirty: boolean;
  /** Timestamp of the write, used for the changelog record when the entry is flushed. */
  timestampMs: number;
  size: number;
  readonly owner: CacheOwner;
  prev: CacheEntry | undefined;
  next: CacheEntry | undefined;
}

export interface CacheOwner {
  /** Flushes the entry if dirty and removes it from the owner and from the cache. */
  evict(entry: CacheEntry): void;
}

export class RecordCache {
  readonly maxBytes: number;
  #bytes = 0;
  #count = 0;
  /** Least recently used. */
  #head: CacheEntry | undefined;
  /** Most recently used. */
  #tail: CacheEntry | undefined;
  #evicting = false;

  constructor(maxBytes: number) {
    this.maxBytes = Math.max(0, maxBytes);
  }

  get sizeBytes(): number {
    return this.#bytes;
  }

  get entryCount(): number {
    return this.#count;
  }

  add(entry: CacheEntry): void {
    entry.prev = this.#tail;
    entry.next = undefined;
    if (this.#tail !== undefined) this.#tail.next = entry;
    else this.#head = entry;
    this.#tail = entry;
    this.#bytes += entry.size;
    this.#count++;
  }

  touch(entry: CacheEntry): void {
    if (this.#tail === entry) return;
    this.#unlink(entry);
    entry.prev = this.#tail;
    entry.next = undefined;
    if (this.#tail !== undefined) this.#tail.next = entry;
    else this.#head = entry;
    this.#tail = entry;
  }

  resize(entry: CacheEntry, size: number): void {
    this.#bytes += size - entry.size;
    entry.size = size;
  }

  remove(entry: CacheEntry): void {
    this.#unlink(entry);
    entry.prev = entry.next = undefined;
    this.#bytes -= entry.size;
    this.#count--;
  }

  /** Evicts least recently used entries until the cache is within budget. */
  maybeEvict(): void {
    // A flush during eviction may write to other caching stores (through a flush listener); the outer loop goes on
    // evicting, so nested calls return at once.
    if (this.#evicting) return;
    this.#evicting = true;
    try {
      while (this.#bytes > this.maxBytes && this.#head !== undefined) this.#head.owner.evict(this.#head);
    } finally {
      this.#evicting = false;
    }
  }

  #unlink(entry: CacheEntry): void {
    if (entry.prev !== undefined) entry.prev.next = entry.next;
    else if (this.#head === entry) this.#head = entry.next;
    if (entry.next !== undefined) entry.next.prev = entry.prev;
    else if (this.#tail === entry) this.#tail = entry.prev;
  }
}
