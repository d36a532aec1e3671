// What the TaskStateManager needs from every store, below the typed (serde) layer.
import { writeInt64BE } from './bytes.js';

/** A changelog record handed to `restore` (offsets and timestamps in ms as numbers). */
export interface ChangelogRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: number;
  readonly timestamp: number;
}

export interface BytesStore {
  readonly name: string;
  readonly persistent: boolean;
  /** Writes not yet committed: in the write buffer, dirty in the cache, or segments waiting to be dropped. */
  readonly hasUncommittedWrites: boolean;
  /** Something for `applyCommit` to do: buffered writes or segments to drop. */
  readonly needsCommit: boolean;
  /** Pushes dirty cache entries to the changelog and the write buffer. */
  flushCache(): void;
  /** Applies the write buffer and pending segment drops to the backend (for LMDB: inside the commit transaction). */
  applyCommit(): void;
  /** After the commit transaction succeeded: forget what was applied. */
  completeCommit(): void;
  /** Drops uncommitted writes and cache entries, back to the last commit. */
  abort(): void;
  /** Applies changelog records straight to the backend (for LMDB: inside the restore transaction); no logging. */
  restore(records: readonly ChangelogRecord[]): void;
  /** Drops the record cache's entries (before restoring, so that none are stale). */
  clearCache(): void;
  close(): void;
}

/** Prefixes a changelog value with the record timestamp: the stored format of timestamped stores. */
export function withTimestampPrefix(value: Buffer, timestampMs: number): Buffer {
  const out = Buffer.allocUnsafe(8 + value.length);
  writeInt64BE(out, timestampMs, 0);
  value.copy(out, 8);
  return out;
}
