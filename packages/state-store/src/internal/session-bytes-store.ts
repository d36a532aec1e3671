// A session store in bytes: segments by session end, keys enc(key) | end | start (see key-schema.ts).
import type { ChangelogRecord } from './bytes-store.js';
import { SessionKeySchema } from './key-schema.js';
import type { RawEntry, RawIterator } from './raw-iterator.js';
import { ArrayRawIterator, EMPTY_ITERATOR, FilterIterator } from './raw-iterator.js';
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

  /**
   * Sessions of every key with earliestEnd <= end <= latestEnd, by end, then start, then key (Kafka Streams'
   * time-ordered session store's order). Segments are by session end, so only the segments overlapping the range are
   * read; inside each the entries are by key, so the segment is scanned and filtered, then sorted. Meant for
   * emit-on-window-close, which asks for the ends that closed since its last emit: a session closes (end < stream
   * time - grace - gap) just as it passes retention (gap + grace), so unlike the other reads this one is not cut off
   * at retention — it reads every segment not dropped yet, as Kafka Streams' findSessions(earliestEnd, latestEnd).
   */
  findSessionsByEnd(earliestEndMs: number, latestEndMs: number): RawIterator {
    const from = Math.max(earliestEndMs, 0);
    if (from > latestEndMs) return EMPTY_ITERATOR;
    const schema = this.schema;
    const found: RawEntry[] = [];
    for (const table of this.segmentsNotDropped(from, latestEndMs)) {
      const iterator = table.range(undefined, undefined, true, false);
      try {
        for (let entry = iterator.next(); entry !== undefined; entry = iterator.next()) {
          const end = schema.sessionEnd(entry.key);
          if (end >= from && end <= latestEndMs) found.push(entry);
        }
      } finally {
        iterator.close();
      }
    }
    // Stable: entries of equal end and start keep the segment's key order.
    found.sort(
      (x, y) =>
        schema.sessionEnd(x.key) - schema.sessionEnd(y.key) || schema.sessionStart(x.key) - schema.sessionStart(y.key),
    );
    return new ArrayRawIterator(found);
  }

  protected restoreOne(record: ChangelogRecord): void {
    const stored = this.schema.fromChangelogKey(record.key!);
    if (stored === undefined) return;
    this.restoreRecord(this.schema.sessionEnd(stored), stored, record.value);
  }
}
