// A window store in bytes: segments by window start, keys enc(key) | start [| seqnum] (see key-schema.ts).
import type { ChangelogRecord } from './bytes-store.js';
import { withTimestampPrefix } from './bytes-store.js';
import { WindowKeySchema } from './key-schema.js';
import type { RawEntry, RawIterator } from './raw-iterator.js';
import { EMPTY_ITERATOR, FilterIterator } from './raw-iterator.js';
import type { SegmentedOptions } from './segmented-bytes-store.js';
import { SegmentedBytesStore } from './segmented-bytes-store.js';

export interface WindowBytesStoreOptions extends SegmentedOptions {
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  readonly timestamped: boolean;
}

export class WindowBytesStore extends SegmentedBytesStore {
  readonly schema: WindowKeySchema;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  readonly #timestamped: boolean;
  /** Sequence number appended to keys when retaining duplicates, so that every put adds an entry. */
  #seqnum = 0;

  constructor(options: WindowBytesStoreOptions) {
    super(options);
    this.windowSizeMs = options.windowSizeMs;
    this.retainDuplicates = options.retainDuplicates;
    this.#timestamped = options.timestamped;
    this.schema = new WindowKeySchema(options.retainDuplicates);
  }

  put(key: Buffer, value: Buffer | null, windowStartMs: number, timestampMs: number): void {
    // With duplicates every put is a new entry, so there is nothing a null could delete (Kafka Streams ignores it too).
    if (value === null && this.retainDuplicates) return;
    this.observe(windowStartMs);
    if (windowStartMs < this.minLiveTimeMs()) {
      this.expiredWrite(this.schema.storedKey(key, windowStartMs, 0), value, timestampMs);
      return;
    }
    const seqnum = this.retainDuplicates ? (this.#seqnum = (this.#seqnum + 1) & 0x7fffffff) : 0;
    this.segment(windowStartMs, true).put(this.schema.storedKey(key, windowStartMs, seqnum), value, timestampMs);
  }

  fetch(key: Buffer, windowStartMs: number): Buffer | undefined {
    if (windowStartMs < this.minLiveTimeMs()) return undefined;
    const table = this.segment(windowStartMs, false);
    if (table === undefined) return undefined;
    if (!this.retainDuplicates) return table.get(this.schema.lookupKey(key, windowStartMs));
    const [lo, hi] = this.schema.keyTimeBounds(key, windowStartMs, windowStartMs);
    const iterator = table.range(lo, hi, true, false);
    try {
      return iterator.next()?.value;
    } finally {
      iterator.close();
    }
  }

  /** Windows of `key` with from <= start <= to, oldest first. */
  fetchRange(key: Buffer, fromMs: number, toMs: number): RawIterator {
    const from = Math.max(fromMs, this.minLiveTimeMs(), 0);
    if (from > toMs) return EMPTY_ITERATOR;
    const [lo, hi] = this.schema.keyTimeBounds(key, from, toMs);
    return this.concat(this.segments(from, toMs), (t) => t.range(lo, hi, true, false));
  }

  /** Windows of keys in [keyFrom, keyTo] (undefined: open) with from <= start <= to: by segment, key, then time. */
  fetchKeyRange(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, fromMs: number, toMs: number): RawIterator {
    const from = Math.max(fromMs, this.minLiveTimeMs(), 0);
    if (from > toMs) return EMPTY_ITERATOR;
    if (keyFrom !== undefined && keyTo !== undefined && Buffer.compare(keyFrom, keyTo) > 0) return EMPTY_ITERATOR;
    const lo = keyFrom === undefined ? undefined : this.schema.lowerKeyBound(keyFrom);
    const hi = keyTo === undefined ? undefined : this.schema.upperKeyBound(keyTo);
    const schema = this.schema;
    const inTime = (entry: RawEntry): boolean => {
      const start = schema.windowStart(entry.key);
      return start >= from && start <= toMs;
    };
    return this.concat(this.segments(from, toMs), (t) => new FilterIterator(t.range(lo, hi, true, false), inTime));
  }

  protected restoreOne(record: ChangelogRecord): void {
    const stored = this.schema.fromChangelogKey(record.key!);
    if (stored === undefined) return;
    const value =
      record.value === null
        ? null
        : this.#timestamped
          ? withTimestampPrefix(record.value, record.timestamp)
          : record.value;
    this.restoreRecord(this.schema.windowStart(stored), stored, value);
  }
}
