// The task's LMDB environment at <taskDir>/lmdb: one named DB per key-value store and per window/session segment,
// plus `__offsets` (changelog partition -> last changelog offset reflected in the data) and `__meta` (small side
// records). One environment per task, so that a commit writes all the task's stores and their changelog offsets in one
// LMDB transaction, a task moves between instances as a unit, and deleting the task directory wipes its state.
import fs from 'node:fs';
import path from 'node:path';
import { open } from 'lmdb';
import type { Database, RootDatabase } from 'lmdb';
import { CorruptedStateError, StreamsError } from '@kaskade/processor-api';
import { EMPTY, encodeOffset, readInt64BE } from './bytes.js';
import { checkLmdbDataFile } from './lmdb-file-check.js';
import type { RawEntry, RawIterator } from './raw-iterator.js';
import { ConcatIterator, EMPTY_ITERATOR } from './raw-iterator.js';
import type { TableBackend } from './table-backend.js';

type BinaryDb = Database<Buffer, Buffer>;

const DB_OPTIONS = { keyEncoding: 'binary', encoding: 'binary', compression: false, cache: false } as const;
const OFFSETS_DB = '__offsets';
const META_DB = '__meta';
/** lmdb-js's key size limit with the default page size. */
const MAX_KEY_BYTES = 1978;
/** The smallest non-empty key: an explicit lower bound, since lmdb-js's default bound skips keys below 0x05. */
const LOWEST_KEY = Buffer.from([0]);
/** Errors of the machine, not of the files (LMDB reports strerror texts). */
const ENVIRONMENT_PROBLEM =
  /ENOSPC|EMFILE|ENFILE|EACCES|EPERM|ENOMEM|EAGAIN|No space left|Too many open files|Permission denied|Operation not permitted|Cannot allocate memory|Resource temporarily unavailable/i;

export interface LmdbEnvironmentOptions {
  /** Upper limit on named DBs (each window/session segment is one). */
  readonly maxDbs: number;
  readonly logger: (message: string) => void;
}

export class LmdbEnvironment {
  readonly path: string;
  /** True when the directory was unreadable and has been wiped: the stores start empty. */
  readonly wasReset: boolean;
  readonly #root: RootDatabase<Buffer, Buffer>;
  readonly #offsetsDb: BinaryDb;
  readonly #metaDb: BinaryDb;
  readonly #offsets: Map<string, number>;
  readonly #tables = new Map<string, LmdbTableBackend>();
  #closed = false;

  private constructor(dir: string, root: RootDatabase<Buffer, Buffer>, wasReset: boolean) {
    this.path = dir;
    this.wasReset = wasReset;
    this.#root = root;
    this.#offsetsDb = root.openDB<Buffer, Buffer>(OFFSETS_DB, DB_OPTIONS);
    this.#metaDb = root.openDB<Buffer, Buffer>(META_DB, DB_OPTIONS);
    this.#offsets = new Map();
    // Reading everything small at open doubles as a check that the file is readable.
    for (const { key, value } of this.#offsetsDb.getRange({ start: LOWEST_KEY })) {
      if (value.length !== 8) throw new CorruptedStateError(`bad changelog offset record in ${dir}`);
      this.#offsets.set(key.toString('utf8'), readInt64BE(value, 0));
    }
    this.tableNames('');
  }

  /**
   * Opens the environment in `dir`. When the directory cannot be opened or read (a garbage or truncated file, a file
   * where the directory should be, a bad offset record), logs why with the path, deletes the directory and starts
   * empty, so that the runtime restores the stores from their changelogs instead of crashing again on every start.
   */
  static open(dir: string, options: LmdbEnvironmentOptions): LmdbEnvironment {
    const problem = preOpenProblem(dir);
    if (problem === undefined) {
      let root: RootDatabase<Buffer, Buffer> | undefined;
      try {
        root = openRoot(dir, options.maxDbs);
        return new LmdbEnvironment(dir, root, false);
      } catch (error) {
        if (root !== undefined) void root.close().catch(() => undefined);
        const message = error instanceof Error ? error.message : String(error);
        // Resource and permission problems say nothing about the data: wiping would only trade them for a full
        // restoration. Fail instead, so the cause gets fixed.
        if (ENVIRONMENT_PROBLEM.test(message)) {
          throw new StreamsError(`cannot open the state directory ${dir}: ${message}`, { cause: error });
        }
        return LmdbEnvironment.#reset(dir, options, message);
      }
    }
    return LmdbEnvironment.#reset(dir, options, problem);
  }

  static #reset(dir: string, options: LmdbEnvironmentOptions, reason: string): LmdbEnvironment {
    options.logger(
      `state directory ${dir} is unreadable (${reason}); deleting it and starting empty: ` +
        `the stores will be restored from their changelogs`,
    );
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      return new LmdbEnvironment(dir, openRoot(dir, options.maxDbs), true);
    } catch (error) {
      throw new CorruptedStateError(`cannot reset the state directory ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** The last changelog offset committed for `<topic>:<partition>`, or undefined. */
  committedOffset(changelogKey: string): number | undefined {
    return this.#offsets.get(changelogKey);
  }

  /** Records a changelog offset; only inside `transaction`. */
  writeOffset(changelogKey: string, offset: number): void {
    this.#offsetsDb.putSync(Buffer.from(changelogKey, 'utf8'), encodeOffset(offset));
    this.#offsets.set(changelogKey, offset);
  }

  /**
   * Deletes a store's data and its changelog offset in one transaction (its state cannot be used; it will be restored
   * from the changelog from the beginning).
   */
  wipeStore(storeName: string, changelogKey: string | undefined): void {
    const names = [
      ...this.tableNames(`kv:${storeName}`).filter((n) => n === `kv:${storeName}`),
      ...[`w:${storeName}:`, `s:${storeName}:`].flatMap((prefix) =>
        this.tableNames(prefix).filter((n) => /^\d+$/.test(n.slice(prefix.length))),
      ),
    ];
    this.transaction(() => {
      for (const name of names) this.table(name).drop();
      if (changelogKey !== undefined) {
        this.#offsetsDb.removeSync(Buffer.from(changelogKey, 'utf8'));
        this.#offsets.delete(changelogKey);
      }
    });
  }

  /** The named DB `name` (created if absent). */
  table(name: string): LmdbTableBackend {
    this.#checkOpen();
    let table = this.#tables.get(name);
    if (table === undefined) {
      const db = this.#root.openDB<Buffer, Buffer>(name, DB_OPTIONS);
      table = new LmdbTableBackend(name, db, this.#metaDb, () => this.#tables.delete(name));
      this.#tables.set(name, table);
    }
    return table;
  }

  /** Names of the existing named DBs that start with `prefix`. */
  tableNames(prefix: string): string[] {
    this.#checkOpen();
    const names: string[] = [];
    const start = prefix === '' ? LOWEST_KEY : Buffer.from(prefix, 'utf8');
    for (const key of this.#root.getKeys({ start })) {
      let name = key.toString('utf8');
      if (name.endsWith('\0')) name = name.slice(0, -1); // LMDB stores DB names NUL-terminated
      if (!name.startsWith(prefix)) break;
      names.push(name);
    }
    return names;
  }

  /**
   * Runs `action` in one synchronous LMDB write transaction: everything it writes (store data, offsets, dropped
   * segments) commits together or not at all. If `action` throws, the transaction is aborted and the error rethrown.
   */
  transaction(action: () => void): void {
    this.#checkOpen();
    this.#root.transactionSync(action);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tables.clear();
    // lmdb-js closes asynchronously (after pending async writes, of which we have none); reopening the same path
    // right away is supported, so nothing waits for it.
    void this.#root.close().catch(() => undefined);
  }

  #checkOpen(): void {
    if (this.#closed) throw new StreamsError(`the LMDB environment at ${this.path} is closed`);
  }
}

function openRoot(dir: string, maxDbs: number): RootDatabase<Buffer, Buffer> {
  return open<Buffer, Buffer>({ path: dir, maxDbs, noSubdir: false, ...DB_OPTIONS });
}

function preOpenProblem(dir: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return undefined; // absent: a fresh environment
  }
  if (!stat.isDirectory()) return `${dir} is not a directory`;
  return checkLmdbDataFile(path.join(dir, 'data.mdb'));
}

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
  readonly #onDrop: () => void;

  constructor(name: string, db: BinaryDb, metaDb: BinaryDb, onDrop: () => void) {
    this.name = name;
    this.#db = db;
    this.#metaDb = metaDb;
    this.#emptyKeySlot = Buffer.from(`empty:${name}`, 'utf8');
    this.#onDrop = onDrop;
  }

  get(key: Buffer): Buffer | undefined {
    if (key.length === 0) return this.#metaDb.getBinary(this.#emptyKeySlot);
    return this.#db.getBinary(key);
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
      nonEmpty = new LmdbRangeIterator(this.#db, options);
    }
    if (!withEmpty) return nonEmpty;
    const emptyValue = this.#metaDb.getBinary(this.#emptyKeySlot);
    if (emptyValue === undefined) return nonEmpty;
    const empty = (): RawIterator => new SingleEntryIterator({ key: EMPTY, value: emptyValue });
    return new ConcatIterator(reverse ? [() => nonEmpty, empty] : [empty, () => nonEmpty]);
  }

  approximateNumEntries(): number {
    return (this.#db.getStats() as { entryCount?: number }).entryCount ?? 0;
  }

  write(key: Buffer, value: Buffer | null): void {
    if (key.length === 0) {
      if (value === null) this.#metaDb.removeSync(this.#emptyKeySlot);
      else this.#metaDb.putSync(this.#emptyKeySlot, value);
    } else if (value === null) this.#db.removeSync(key);
    else this.#db.putSync(key, value);
  }

  drop(): void {
    this.#metaDb.removeSync(this.#emptyKeySlot);
    this.#db.dropSync();
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

  constructor(db: BinaryDb, options: LmdbRangeOptions) {
    this.#iterator = db.getRange(options)[Symbol.iterator]();
  }

  peek(): RawEntry | undefined {
    if (!this.#ready) {
      this.#ready = true;
      const iterator = this.#iterator;
      if (iterator === undefined) return (this.#head = undefined);
      const result = iterator.next();
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
