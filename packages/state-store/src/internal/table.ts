// A table: one ordered byte map of a store (a key-value store, or one segment of a window/session store), layered as
//
//   record cache (optional) -> change logging (optional) -> write buffer -> backend (LMDB named DB or memory)
//
// A write goes into the cache when there is one (repeated writes to a key merge there), else straight to the
// changelog and the write buffer. Flushing the cache sends each dirty key to the changelog and the buffer once.
// The buffer holds everything written since the last commit; reads see cache over buffer over backend, so a processor
// always sees its own writes. `TaskStateManager.commit` applies the buffers of all tables of a task to LMDB in one
// transaction together with the changelog offsets; `abort` drops them.
import { StreamsError } from '@kaskade/processor-api';
import { keyString } from './bytes.js';
import type { ChangeLogger } from './change-logger.js';
import type { OverlayEntry, RawIterator } from './raw-iterator.js';
import { OverlayMergeIterator } from './raw-iterator.js';
import type { CacheEntry, CacheOwner, RecordCache } from './record-cache.js';
import { CACHE_ENTRY_OVERHEAD_BYTES } from './record-cache.js';
import { SortedKeyMap } from './sorted-key-map.js';
import type { TableBackend } from './table-backend.js';
import type { WriteBufferMeter } from './write-buffer-meter.js';
import { bufferedWriteBytes } from './write-buffer-meter.js';
import { WriteArena } from './write-arena.js';

/** Called for each dirty cache entry as it is flushed or evicted (Kafka Streams' CacheFlushListener, in bytes). */
export type RawFlushListener = (
  storedKey: Buffer,
  newValue: Buffer | null,
  oldValue: Buffer | undefined,
  timestampMs: number,
) => void;

/** What all tables of one store share. */
export interface TableConfig {
  readonly storeName: string;
  readonly cache: RecordCache | undefined;
  readonly logger: ChangeLogger | undefined;
  /** The task's count of write-buffer bytes, which the runtime bounds by committing early. */
  readonly writeBuffer: WriteBufferMeter;
  flushListener: RawFlushListener | undefined;
  /** Whether the flush listener needs the value before the flushed write (costs a read per flushed entry). */
  flushListenerNeedsOldValue: boolean;
}

export class Table implements CacheOwner {
  readonly backend: TableBackend;
  readonly #config: TableConfig;
  readonly #buffer = new SortedKeyMap<OverlayEntry>();
  /** The write buffer's keys and values, copied out of the shared pool blocks they may be slices of. */
  readonly #arena = new WriteArena();
  readonly #cached: SortedKeyMap<CacheEntry> | undefined;
  readonly #dirty = new Set<CacheEntry>();
  /** This table's share of the task's write-buffer bytes. */
  #bufferBytes = 0;

  constructor(backend: TableBackend, config: TableConfig) {
    this.backend = backend;
    this.#config = config;
    this.#cached = config.cache === undefined ? undefined : new SortedKeyMap();
  }

  get(key: Buffer): Buffer | undefined {
    const id = keyString(key);
    if (this.#cached !== undefined) {
      const entry = this.#cached.get(id);
      if (entry !== undefined) {
        this.#config.cache!.touch(entry);
        return entry.value ?? undefined;
      }
    }
    const buffered = this.#buffer.get(id);
    if (buffered !== undefined) return buffered.value ?? undefined;
    return this.backend.get(key);
  }

  /** Writes `value` (null deletes) at `key`. */
  put(key: Buffer, value: Buffer | null, timestampMs: number): void {
    if (key.length > this.backend.maxKeyBytes) {
      throw new StreamsError(
        `store "${this.#config.storeName}": a key of ${key.length} bytes exceeds LMDB's limit of ` +
          `${this.backend.maxKeyBytes} bytes (use an in-memory store or shorter keys)`,
        { context: { store: this.#config.storeName } },
      );
    }
    const id = keyString(key);
    if (this.#cached !== undefined) this.#cachePut(key, id, value, timestampMs);
    else this.#write(key, id, value, timestampMs);
  }

  /** Entries in [lo, hi] (hi exclusive unless `hiInclusive`; undefined bounds open), merged over all layers. */
  range(lo: Buffer | undefined, hi: Buffer | undefined, hiInclusive: boolean, reverse: boolean): RawIterator {
    let iterator = this.backend.range(lo, hi, hiInclusive, reverse);
    const loId = lo === undefined ? undefined : keyString(lo);
    const hiId = hi === undefined ? undefined : keyString(hi);
    if (this.#buffer.size > 0) {
      iterator = new OverlayMergeIterator(this.#buffer.cursor(loId, hiId, hiInclusive, reverse), iterator, reverse);
    }
    if (this.#cached !== undefined && this.#cached.size > 0) {
      iterator = new OverlayMergeIterator(this.#cached.cursor(loId, hiId, hiInclusive, reverse), iterator, reverse);
    }
    return iterator;
  }

  approximateNumEntries(): number {
    return this.backend.approximateNumEntries() + this.#buffer.size;
  }

  /** True when there are writes not yet committed (in the buffer, or dirty in the cache). */
  get hasUncommittedWrites(): boolean {
    return this.#buffer.size > 0 || this.#dirty.size > 0;
  }

  get hasBufferedWrites(): boolean {
    return this.#buffer.size > 0;
  }

  /** Sends every dirty cache entry to the changelog and the write buffer (each key once); entries stay cached. */
  flushCache(): void {
    if (this.#dirty.size === 0) return;
    // Snapshot: a flush listener may write to this table again; those writes wait for the next flush.
    const entries = Array.from(this.#dirty);
    this.#dirty.clear();
    for (const entry of entries) {
      if (!entry.dirty) continue;
      this.#flushEntry(entry);
      if (entry.value === null && !entry.dirty) this.#dropCacheEntry(entry);
    }
  }

  evict(entry: CacheEntry): void {
    if (entry.dirty) {
      this.#dirty.delete(entry);
      this.#flushEntry(entry);
    }
    this.#dropCacheEntry(entry);
  }

  /** The dirty cache entries, oldest first (an expired segment's, forwarded though never stored). */
  dirtyEntries(): readonly CacheEntry[] {
    return Array.from(this.#dirty);
  }

  /** Drops every cache entry, dirty or not (abort; before restoring). */
  clearCache(): void {
    const cached = this.#cached;
    if (cached === undefined || cached.size === 0) return;
    const cache = this.#config.cache!;
    for (const entry of cached.values()) cache.remove(entry);
    cached.clear();
    this.#dirty.clear();
  }

  /** Applies the write buffer to the backend (for LMDB: inside the commit transaction). */
  applyBuffer(): void {
    for (const entry of this.#buffer.values()) this.backend.write(entry.key, entry.value);
  }

  clearBuffer(): void {
    this.#buffer.clear();
    this.#arena.reset();
    this.#config.writeBuffer.bytes -= this.#bufferBytes;
    this.#bufferBytes = 0;
  }

  /** Closes the table: releases its cache entries and drops uncommitted writes. */
  close(): void {
    this.clearCache();
    this.clearBuffer();
  }

  #write(key: Buffer, id: string, value: Buffer | null, timestampMs: number): void {
    this.#config.logger?.log(key, value, timestampMs);
    const buffered = this.#buffer.get(id);
    const owned = value === null ? null : this.#arena.copy(value);
    let delta: number;
    if (buffered !== undefined) {
      // The replaced value's copy stays in the arena until the commit: it counts until then.
      delta = owned === null ? 0 : owned.length;
      buffered.value = owned;
    } else {
      delta = bufferedWriteBytes(key, owned);
      this.#buffer.set(id, { key: this.#arena.copy(key), value: owned });
    }
    this.#bufferBytes += delta;
    this.#config.writeBuffer.bytes += delta;
  }

  #cachePut(key: Buffer, id: string, value: Buffer | null, timestampMs: number): void {
    const cache = this.#config.cache!;
    const size = key.length + (value === null ? 0 : value.length) + CACHE_ENTRY_OVERHEAD_BYTES;
    let entry = this.#cached!.get(id);
    if (entry !== undefined) {
      entry.value = value;
      entry.timestampMs = timestampMs;
      entry.dirty = true;
      cache.resize(entry, size);
      cache.touch(entry);
    } else {
      entry = { key, id, value, dirty: true, timestampMs, size, owner: this, prev: undefined, next: undefined };
      this.#cached!.set(id, entry);
      cache.add(entry);
    }
    this.#dirty.add(entry);
    cache.maybeEvict();
  }

  #flushEntry(entry: CacheEntry): void {
    entry.dirty = false;
    const listener = this.#config.flushListener;
    if (listener === undefined) {
      this.#write(entry.key, entry.id, entry.value, entry.timestampMs);
      return;
    }
    let oldValue: Buffer | undefined;
    if (this.#config.flushListenerNeedsOldValue) {
      const buffered = this.#buffer.get(entry.id);
      oldValue = buffered !== undefined ? (buffered.value ?? undefined) : this.backend.get(entry.key);
    }
    const { key, value, timestampMs } = entry;
    this.#write(key, entry.id, value, timestampMs);
    listener(key, value, oldValue, timestampMs);
  }

  #dropCacheEntry(entry: CacheEntry): void {
    if (this.#cached!.get(entry.id) !== entry) return;
    this.#cached!.delete(entry.id);
    this.#config.cache!.remove(entry);
  }
}
