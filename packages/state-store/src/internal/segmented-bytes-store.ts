// Time-segmented storage shared by window and session stores: one table per segment of `segmentIntervalMs` (one LMDB
// named DB each, or one in-memory map), by window start (windows) or session end (sessions). Retention never scans
// records: when observed stream time moves past a whole segment's retention, the segment is dropped as a unit at the
// next commit (LMDB `dropSync` inside the commit transaction). Until then reads skip it, and reads also cut off
// individual expired records in live segments, so what a store returns never depends on segment granularity.
//
// Observed stream time = the largest time written into (or restored to) this store, as in Kafka Streams: not the
// task's stream time, so records of a join side or a key that has not advanced stay readable while other inputs
// move on. A write at or before observed - retention is expired and ignored, and reads cut off at the same bound.
// Until the store has observed a time since it was opened (a persistent store reopened with its data), the task's
// stream time stands in for it, so data already expired before a restart is not served again.
import type { BytesStore, ChangelogRecord } from './bytes-store.js';
import type { RawIterator } from './raw-iterator.js';
import { ConcatIterator, EMPTY_ITERATOR } from './raw-iterator.js';
import type { TableBackend } from './table-backend.js';
import type { TableConfig } from './table.js';
import { Table } from './table.js';

/** Where segment backends come from: LMDB named DBs or in-memory maps. */
export interface SegmentBackends {
  readonly persistent: boolean;
  /** Ids of segments that already exist (LMDB, after a restart). */
  existing(): number[];
  /** The backend of segment `id`, created if absent. */
  open(id: number): TableBackend;
}

export interface SegmentedOptions {
  readonly name: string;
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
  readonly backends: SegmentBackends;
  readonly config: TableConfig;
  readonly streamTimeMs: () => number;
  /** Called for each write ignored because it is expired, so that none disappears without a trace. */
  readonly onExpiredWrite: () => void;
}

export abstract class SegmentedBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
  readonly #backends: SegmentBackends;
  readonly #config: TableConfig;
  readonly #streamTimeMs: () => number;
  protected readonly onExpiredWrite: () => void;
  readonly #live = new Map<number, Table>();
  /** Live segment ids in ascending order; recomputed when the set changes. */
  #ids: number[] | undefined;
  /** Expired segments to drop at the next commit (or to bring back on abort). */
  readonly #pendingDrops = new Map<number, Table>();
  #observedMs = Number.NEGATIVE_INFINITY;
  #committedObservedMs = Number.NEGATIVE_INFINITY;
  /** Segments below this id have been dropped (or are pending). */
  #minLiveSegment = Number.NEGATIVE_INFINITY;
  /** Expired writes that a caching store's flush listener still gets at the next flush (never stored). */
  #expiredForwards: { readonly key: Buffer; readonly value: Buffer | null; readonly timestampMs: number }[] = [];

  protected constructor(options: SegmentedOptions) {
    this.name = options.name;
    this.persistent = options.backends.persistent;
    this.retentionMs = options.retentionMs;
    this.segmentIntervalMs = options.segmentIntervalMs;
    this.#backends = options.backends;
    this.#config = options.config;
    this.#streamTimeMs = options.streamTimeMs;
    this.onExpiredWrite = options.onExpiredWrite;
    for (const id of options.backends.existing())
      this.#live.set(id, new Table(options.backends.open(id), this.#config));
  }

  /**
   * Ignores (and counts) an expired write. Behind a record cache with a flush listener it is still forwarded at the
   * next flush, as in Kafka Streams, whose caching stores take every write and leave dropping it to the store below.
   */
  protected expiredWrite(storedKey: Buffer, value: Buffer | null, timestampMs: number): void {
    this.onExpiredWrite();
    if (this.#config.cache !== undefined && this.#config.flushListener !== undefined) {
      this.#expiredForwards.push({ key: storedKey, value, timestampMs });
    }
  }

  /** The earliest time that is not expired. */
  protected minLiveTimeMs(): number {
    const observed = this.#observedMs === Number.NEGATIVE_INFINITY ? this.#streamTimeMs() : this.#observedMs;
    return observed - this.retentionMs + 1;
  }

  /** Advances observed stream time with a written time; drops segments that expired. */
  protected observe(timeMs: number): void {
    if (timeMs > this.#observedMs) this.#observedMs = timeMs;
    this.#expireSegments(false);
  }

  protected segmentId(timeMs: number): number {
    return Math.floor(timeMs / this.segmentIntervalMs);
  }

  /** The segment holding `timeMs`, created when `create` (the caller has checked that the time is live). */
  protected segment(timeMs: number, create: true): Table;
  protected segment(timeMs: number, create: false): Table | undefined;
  protected segment(timeMs: number, create: boolean): Table | undefined {
    const id = this.segmentId(timeMs);
    let table = this.#live.get(id);
    if (table === undefined && create) {
      table = new Table(this.#backends.open(id), this.#config);
      this.#live.set(id, table);
      this.#ids = undefined;
    }
    return table;
  }

  /** Live segments overlapping [fromMs, toMs], oldest first. */
  protected segments(fromMs: number, toMs: number): Table[] {
    const from = this.segmentId(Math.max(fromMs, 0));
    const to = toMs === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : this.segmentId(toMs);
    this.#expireSegments(false);
    const ids = (this.#ids ??= Array.from(this.#live.keys()).sort((a, b) => a - b));
    const tables: Table[] = [];
    for (const id of ids) if (id >= from && id <= to) tables.push(this.#live.get(id)!);
    return tables;
  }

  /**
   * Segments overlapping [fromMs, toMs], oldest first, including those expired but not dropped yet (until the next
   * commit): what Kafka Streams' segmented stores still read. Their records are past retention; only a reader that
   * must see records right as they expire asks for them (emit-on-window-close of session windows).
   */
  protected segmentsNotDropped(fromMs: number, toMs: number): Table[] {
    const live = this.segments(fromMs, toMs);
    if (this.#pendingDrops.size === 0) return live;
    const from = this.segmentId(Math.max(fromMs, 0));
    const to = this.segmentId(toMs);
    const expired = Array.from(this.#pendingDrops)
      .filter(([id]) => id >= from && id <= to)
      .sort(([a], [b]) => a - b)
      .map(([, table]) => table);
    return [...expired, ...live]; // every pending drop is older than every live segment
  }

  /** Concatenates a range over each table, opening one at a time. */
  protected concat(tables: readonly Table[], range: (table: Table) => RawIterator): RawIterator {
    if (tables.length === 0) return EMPTY_ITERATOR;
    if (tables.length === 1) return range(tables[0]!);
    return new ConcatIterator(tables.map((t) => () => range(t)));
  }

  /** Restoration: applies one decoded changelog record straight to its segment's backend. */
  protected restoreRecord(timeMs: number, storedKey: Buffer, value: Buffer | null): void {
    if (timeMs > this.#observedMs) this.#observedMs = timeMs;
    if (timeMs < this.minLiveTimeMs()) return;
    this.segment(timeMs, true).backend.write(storedKey, value);
  }

  protected abstract restoreOne(record: ChangelogRecord): void;

  restore(records: readonly ChangelogRecord[]): void {
    for (const record of records) if (record.key !== null) this.restoreOne(record);
    this.#expireSegments(true);
    this.#committedObservedMs = this.#observedMs;
  }

  get hasUncommittedWrites(): boolean {
    if (this.#pendingDrops.size > 0) return true;
    for (const table of this.#live.values()) if (table.hasUncommittedWrites) return true;
    return false;
  }

  get needsCommit(): boolean {
    if (this.#pendingDrops.size > 0) return true;
    for (const table of this.#live.values()) if (table.hasBufferedWrites) return true;
    return false;
  }

  flushCache(): void {
    // Expired first: their times are older than anything live.
    if (this.#expiredForwards.length > 0) {
      const expired = this.#expiredForwards;
      this.#expiredForwards = [];
      const listener = this.#config.flushListener;
      if (listener !== undefined) for (const e of expired) listener(e.key, e.value, undefined, e.timestampMs);
    }
    for (const table of this.#live.values()) table.flushCache();
  }

  applyCommit(): void {
    for (const table of this.#live.values()) if (table.hasBufferedWrites) table.applyBuffer();
    for (const table of this.#pendingDrops.values()) table.backend.drop();
  }

  completeCommit(): void {
    for (const table of this.#live.values()) table.clearBuffer();
    for (const table of this.#pendingDrops.values()) table.close();
    this.#pendingDrops.clear();
    this.#committedObservedMs = this.#observedMs;
  }

  abort(): void {
    this.#expiredForwards = [];
    for (const [id, table] of this.#pendingDrops) this.#live.set(id, table);
    this.#pendingDrops.clear();
    this.#ids = undefined;
    for (const table of this.#live.values()) {
      table.clearCache();
      table.clearBuffer();
    }
    this.#observedMs = this.#committedObservedMs;
    this.#minLiveSegment = Number.NEGATIVE_INFINITY;
  }

  clearCache(): void {
    for (const table of this.#live.values()) table.clearCache();
  }

  close(): void {
    this.#expiredForwards = [];
    for (const table of this.#live.values()) table.close();
    for (const table of this.#pendingDrops.values()) table.close();
    this.#live.clear();
    this.#pendingDrops.clear();
    this.#ids = undefined;
  }

  /**
   * Moves segments whose every time is expired out of the live set: to the pending drops (dropped at commit), or —
   * during restoration, inside the restore transaction — dropped right away.
   */
  #expireSegments(immediately: boolean): void {
    const minLiveTime = this.minLiveTimeMs();
    if (minLiveTime === Number.NEGATIVE_INFINITY) return;
    const minLiveSegment = this.segmentId(minLiveTime);
    if (minLiveSegment <= this.#minLiveSegment) return;
    this.#minLiveSegment = minLiveSegment;
    for (const [id, table] of this.#live) {
      if (id >= minLiveSegment) continue;
      this.#live.delete(id);
      this.#ids = undefined;
      // Dirty cache entries of an expired segment are not stored: nothing can read them any more, and restoration
      // would skip them too. A flush listener still gets them at the next flush (the last updates of windows that
      // closed since the previous one), as Kafka Streams' caching stores forward whatever their cache holds.
      if (this.#config.flushListener !== undefined) {
        for (const e of table.dirtyEntries()) {
          this.#expiredForwards.push({ key: e.key, value: e.value, timestampMs: e.timestampMs });
        }
      }
      table.clearCache();
      if (immediately) {
        table.backend.drop();
        table.close();
      } else this.#pendingDrops.set(id, table);
    }
  }
}
