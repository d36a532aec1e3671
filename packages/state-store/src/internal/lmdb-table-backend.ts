// One named DB of a task's LMDB environment, as a table backend of the stores, and the iterators over it. Every LMDB
// call goes through `lmdbFailure`, so that damaged files surface as a `CorruptedStateError` naming the task and path.
import type { Database } from 'lmdb';
import { EMPTY } from './bytes.js';
import { lmdbFailure } from './lmdb-corruption.js';
import type { LmdbLocation } from './lmdb-corruption.js';
import type { RawEntry, RawIterator } from './raw-iterator.js';
import { ConcatIterator, EMPTY_ITERATOR } from './raw-iterator.js';
import type { TableBackend } from './table-backend.js';

export type BinaryDb = Database<Buffer, Buffer>;

/** lmdb-js's key size limit with the default page size. */
const MAX_KEY_BYTES = 1978;
/** The smallest non-empty key: an explicit lower bound, since lmdb-js's default bound skips keys below 0x05. */
export const LOWEST_KEY = Buffer.from([0]);

/**
 * One named DB. LMDB rejects empty keys, while a serialized key may legitimately be empty (an empty string), so the
 * empty key of a table lives in the `__meta` DB under `empty:<table>` and range scans put it first.
 */
export class LmdbTableBackend implements TableBackend {
  readonly persistent = true;
  readonly maxKeyBytes = MAX_KEY_BYTES;
  readonly name: string;
  readonly #db: BinaryDb;
  readonly #metaDb: BinaryDb;
  readonly #emptyKeySlot: Buffer;
  readonly #where: LmdbLocation;
  readonly #onDrop: () => void;

  constructor(name: string, db: BinaryDb, metaDb: BinaryDb, where: LmdbLocation, onDrop: () => void) {
    this.name = name;
    this.#db = db;
    this.#metaDb = metaDb;
    this.#where = where;
    this.#emptyKeySlot = Buffer.from(`empty:${name}`, 'utf8');
    this.#onDrop = onDrop;
  }

  get(key: Buffer): Buffer | undefined {
    try {
      if (key.length === 0) return this.#metaDb.getBinary(this.#emptyKeySlot);
      return this.#db.getBinary(key);
    } catch (error) {
      throw lmdbFailure(error, this.#where);
    }
  }

  range(lo: Buffer | undefined, hi: Buffer | undefined, hiInclusive: boolean, reverse: boolean): RawIterator {
    if (hi !== undefined && hi.length === 0 && !hiInclusive) return EMPTY_ITERATOR;
    const withEmpty = lo === undefined || lo.length === 0;
    const start = lo === undefined || lo.length === 0 ? LOWEST_KEY : lo;
    let nonEmpty: RawIterator = EMPTY_ITERATOR;
    if (hi === undefined || hi.length > 0) {
      // lmdb-js: `start` is inclusive unless exclusiveStart, `end` exclusive unless inclusiveEnd; in reverse, start is
      // the upper bound. Bounds are always explicit (see LOWEST_KEY).
      const options: LmdbRangeOptions = reverse
        ? { end: start, reverse: true, inclusiveEnd: true }
        : { start, inclusiveEnd: hiInclusive };
      if (hi !== undefined) {
        if (reverse) {
          options.start = hi;
          options.exclusiveStart = !hiInclusive;
        } else options.end = hi;
      }
      nonEmpty = new LmdbRangeIterator(this.#db, options, this.#where);
    }
    if (!withEmpty) return nonEmpty;
    const emptyValue = this.get(EMPTY);
    if (emptyValue === undefined) return nonEmpty;
    const empty = (): RawIterator => new SingleEntryIterator({ key: EMPTY, value: emptyValue });
    return new ConcatIterator(reverse ? [() => nonEmpty, empty] : [empty, () => nonEmpty]);
  }

  approximateNumEntries(): number {
    try {
      return (this.#db.getStats() as { entryCount?: number }).entryCount ?? 0;
    } catch (error) {
      throw lmdbFailure(error, this.#where);
    }
  }

  write(key: Buffer, value: Buffer | null): void {
    try {
      if (key.length === 0) {
        if (value === null) this.#metaDb.removeSync(this.#emptyKeySlot);
        else this.#metaDb.putSync(this.#emptyKeySlot, value);
      } else if (value === null) this.#db.removeSync(key);
      else this.#db.putSync(key, value);
    } catch (error) {
      throw lmdbFailure(error, this.#where);
    }
  }

  drop(): void {
    try {
      this.#metaDb.removeSync(this.#emptyKeySlot);
      this.#db.dropSync();
    } catch (error) {
      throw lmdbFailure(error, this.#where);
    }
    this.#onDrop();
  }
}

interface LmdbRangeOptions {
  start?: Buffer;
  end?: Buffer;
  reverse?: boolean;
  inclusiveEnd?: boolean;
  exclusiveStart?: boolean;
}

/** An LMDB cursor with one entry of look-ahead. The cursor (and its read snapshot) is released on close or at the end. */
class LmdbRangeIterator implements RawIterator {
  #iterator: Iterator<{ key: Buffer; value: Buffer }> | undefined;
  #head: RawEntry | undefined;
  #ready = false;
  readonly #where: LmdbLocation;

  constructor(db: BinaryDb, options: LmdbRangeOptions, where: LmdbLocation) {
    this.#where = where;
    try {
      this.#iterator = db.getRange(options)[Symbol.iterator]();
    } catch (error) {
      throw lmdbFailure(error, where);
    }
  }

  peek(): RawEntry | undefined {
    if (!this.#ready) {
      this.#ready = true;
      const iterator = this.#iterator;
      if (iterator === undefined) return (this.#head = undefined);
      let result: IteratorResult<{ key: Buffer; value: Buffer }>;
      try {
        result = iterator.next();
      } catch (error) {
        throw lmdbFailure(error, this.#where);
      }
      if (result.done === true) {
        this.#iterator = undefined;
        this.#head = undefined;
      } else this.#head = result.value;
    }
    return this.#head;
  }

  next(): RawEntry | undefined {
    const head = this.peek();
    this.#ready = false;
    return head;
  }

  close(): void {
    const iterator = this.#iterator;
    this.#iterator = undefined;
    this.#head = undefined;
    this.#ready = true;
    iterator?.return?.();
  }
}

class SingleEntryIterator implements RawIterator {
  #entry: RawEntry | undefined;

  constructor(entry: RawEntry) {
    this.#entry = entry;
  }

  peek(): RawEntry | undefined {
    return this.#entry;
  }

  next(): RawEntry | undefined {
    const entry = this.#entry;
    this.#entry = undefined;
    return entry;
  }

  close(): void {
    this.#entry = undefined;
  }
}
