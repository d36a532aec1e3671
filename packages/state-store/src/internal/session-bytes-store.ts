// A session store in bytes: segments by session end, keys enc(key) | end | start (see key-schema.ts).
import type { ChangelogRecord } from './bytes-store.js';
import { SessionKeySchema } from './key-schema.js';
import type { RawEntry, RawIterator } from './raw-iterator.js';
import { FilterIterator } from './raw-iterator.js';
import type { SegmentedOptions } from './segmented-bytes-store.js';
import { SegmentedBytesStore } from './segmented-bytes-store.js';

export class SessionBytesStore extends SegmentedBytesStore {
  readonly schema = new SessionKeySchema();

  constructor(options: SegmentedOptions) {
    super(options);
  }

  put(key: Buffer, startMs: number, endMs: number, value: Buffer | null, timestampMs: number): void {
    this.observe(endMs);
    if (endMs < this.minLiveTimeMs()) {
      this.expiredWrite(this.schema.storedKey(key, startMs, endMs), value, timestampMs);
      return;
    }
    this.segment(endMs, true).put(this.schema.storedKey(key, startMs, endMs), value, timestampMs);
  }

  fetchSession(key: Buffer, startMs: number, endMs: number): Buffer | undefined {
    if (endMs < this.minLiveTimeMs()) return undefined;
    return this.segment(endMs, false)?.get(this.schema.storedKey(key, startMs, endMs));
  }

  /** Sessions of `key` with end >= earliestEnd and start <= latestStart, by end then start. */
  findSessions(key: Buffer, earliestEndMs: number, latestStartMs: number): RawIterator {
    const earliestEnd = Math.max(earliestEndMs, this.minLiveTimeMs(), 0);
    const [lo, hi] = this.schema.keyBounds(key, earliestEnd);
    const schema = this.schema;
    const startsInTime = (entry: RawEntry): boolean => schema.sessionStart(entry.key) <= latestStartMs;
    // A session can end arbitrarily long after it starts, so every segment from earliestEnd on may hold matches.
    return this.concat(
      this.segments(earliestEnd, Number.POSITIVE_INFINITY),
      (t) => new FilterIterator(t.range(lo, hi, true, false), startsInTime),
    );
  }

  protected restoreOne(record: ChangelogRecord): void {
    const stored = this.schema.fromChangelogKey(record.key!);
    if (stored === undefined) return;
    this.restoreRecord(this.schema.sessionEnd(stored), stored, record.value);
  }
}
