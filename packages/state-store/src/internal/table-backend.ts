// The committed data of one table (a key-value store, or one segment of a window/session store): LMDB or memory.
// Writes reach a backend only at commit (or restore); until then they sit in the table's write buffer.
import type { RawEntry, RawIterator } from './raw-iterator.js';
import { CursorIterator } from './raw-iterator.js';
import { keyString } from './bytes.js';
import { SortedKeyMap } from './sorted-key-map.js';

export interface TableBackend {
  readonly persistent: boolean;
  /** Longest key the backend accepts (LMDB's limit), checked at write time so that a commit cannot fail on it. */
  readonly maxKeyBytes: number;
  get(key: Buffer): Buffer | undefined;
  /** Entries with lo <= key and key < hi (key <= hi when `hiInclusive`); undefined bounds are open. */
  range(lo: Buffer | undefined, hi: Buffer | undefined, hiInclusive: boolean, reverse: boolean): RawIterator;
  approximateNumEntries(): number;
  /** Applies one write; for LMDB only inside the task's commit or restore transaction. */
  write(key: Buffer, value: Buffer | null): void;
  /** Deletes all data and the table itself (an expired segment); for LMDB inside a transaction. */
  drop(): void;
}

/** Committed data held in memory (the in-memory stores). */
export class MemoryTableBackend implements TableBackend {
  readonly persistent = false;
  readonly maxKeyBytes = Number.POSITIVE_INFINITY;
  readonly #entries = new SortedKeyMap<RawEntry>();

  get(key: Buffer): Buffer | undefined {
    return this.#entries.get(keyString(key))?.value;
  }

  range(lo: Buffer | undefined, hi: Buffer | undefined, hiInclusive: boolean, reverse: boolean): RawIterator {
    const cursor = this.#entries.cursor(
      lo === undefined ? undefined : keyString(lo),
      hi === undefined ? undefined : keyString(hi),
      hiInclusive,
      reverse,
    );
    return new CursorIterator(cursor);
  }

  approximateNumEntries(): number {
    return this.#entries.size;
  }

  write(key: Buffer, value: Buffer | null): void {
    if (value === null) this.#entries.delete(keyString(key));
    else this.#entries.set(keyString(key), { key, value });
  }

  drop(): void {
    this.#entries.clear();
  }
}
