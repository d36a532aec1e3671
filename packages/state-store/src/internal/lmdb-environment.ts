// The task's LMDB environment at <taskDir>/lmdb: one named DB per key-value store and per window/session segment,
// plus `__offsets` (changelog partition -> last changelog offset reflected in the data) and `__meta` (small side
// records). One environment per task, so that a commit writes all the task's stores and their changelog offsets in one
// LMDB transaction, a task moves between instances as a unit, and deleting the task directory wipes its state.
import fs from 'node:fs';
import path from 'node:path';
import { open } from 'lmdb';
import type { RootDatabase } from 'lmdb';
import { CorruptedStateError, StreamsError } from '@kaskade/processor-api';
import { encodeOffset, readInt64BE } from './bytes.js';
import { verifyLmdbInChildProcess } from './lmdb-child-verifier.js';
import { lmdbFailure } from './lmdb-corruption.js';
import type { LmdbLocation } from './lmdb-corruption.js';
import { checkLmdbDataFile } from './lmdb-file-check.js';
import { markClosed, markOpen, previousOwner } from './lmdb-owner-marker.js';
import type { PreviousOwner } from './lmdb-owner-marker.js';
import { checkLmdbTrees } from './lmdb-tree-check.js';
import { LmdbTableBackend, LOWEST_KEY } from './lmdb-table-backend.js';
import type { BinaryDb } from './lmdb-table-backend.js';

const DB_OPTIONS = { keyEncoding: 'binary', encoding: 'binary', compression: false, cache: false } as const;
const OFFSETS_DB = '__offsets';
const META_DB = '__meta';
/** Errors of the machine, not of the files (LMDB reports strerror texts). */
const ENVIRONMENT_PROBLEM =
  /ENOSPC|EMFILE|ENFILE|EACCES|EPERM|ENOMEM|EAGAIN|No space left|Too many open files|Permission denied|Operation not permitted|Cannot allocate memory|Resource temporarily unavailable/i;

export interface LmdbEnvironmentOptions {
  /** Upper limit on named DBs (each window/session segment is one). */
  readonly maxDbs: number;
  readonly logger: (message: string) => void;
  /** The task that owns the environment, named in corruption errors so that the runtime can rebuild it. */
  readonly taskId?: string;
  /**
   * From how many opens in a row that find the previous owner dead the store is also read through in a child
   * process before use (default 2: a second crash in a row). The structural check runs after every crash.
   */
  readonly verifyInChildAfterCrashes?: number;
}

/** The child verifier's time limit: generous, since a verifier that gives up wipes the store. */
const CHILD_VERIFY_BASE_MS = 30_000;
const CHILD_VERIFY_MS_PER_MB = 500;

export class LmdbEnvironment {
  readonly path: string;
  /** True when the directory was unreadable and has been wiped: the stores start empty. */
  readonly wasReset: boolean;
  readonly #root: RootDatabase<Buffer, Buffer>;
  readonly #offsetsDb: BinaryDb;
  readonly #metaDb: BinaryDb;
  readonly #offsets: Map<string, number>;
  readonly #tables = new Map<string, LmdbTableBackend>();
  readonly #where: LmdbLocation;
  #closed = false;

  private constructor(dir: string, root: RootDatabase<Buffer, Buffer>, wasReset: boolean, taskId: string | undefined) {
    this.path = dir;
    this.wasReset = wasReset;
    this.#where = { path: dir, taskId };
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
   * where the directory should be, a bad offset record, or damaged pages found by the checks below), logs why with the
   * path, deletes the directory and starts empty, so that the runtime restores the stores from their changelogs
   * instead of crashing again on every start.
   *
   * A store that may be damaged is checked before LMDB reads it: when its previous owner died with it open, or its
   * data file changed after a clean close, every page in use is checked (in this process, with plain reads: about
   * 1–5 ms per MB); when the owner died with it open twice or more in a row, it is also read through in a child
   * process, where a crash is only a verdict. A store closed cleanly and untouched since is opened without a check.
   */
  static open(dir: string, options: LmdbEnvironmentOptions): LmdbEnvironment {
    let problem = preOpenProblem(dir);
    let crashes = 0;
    if (problem === undefined) {
      const owner = previousOwner(dir);
      if (owner.kind === 'crashed') crashes = owner.crashes;
      problem = damageBeforeUse(dir, owner, options);
    }
    if (problem === undefined) {
      let root: RootDatabase<Buffer, Buffer> | undefined;
      try {
        root = openRoot(dir, options.maxDbs);
        const environment = new LmdbEnvironment(dir, root, false, options.taskId);
        markOpen(dir, crashes);
        return environment;
      } catch (error) {
        if (root !== undefined) void root.close().catch(() => undefined);
        const message = error instanceof Error ? error.message : String(error);
        // Resource and permission problems say nothing about the data: wiping would only trade them for a full
        // restoration. Fail instead, so the cause gets fixed.
        if (ENVIRONMENT_PROBLEM.test(message)) {
          throw new StreamsError(`cannot open the state directory ${dir}: ${message}`, {
            cause: error,
            context: { path: dir, ...(options.taskId === undefined ? {} : { taskId: options.taskId }) },
          });
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
      const environment = new LmdbEnvironment(dir, openRoot(dir, options.maxDbs), true, options.taskId);
      markOpen(dir, 0);
      return environment;
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
    try {
      this.#offsetsDb.putSync(Buffer.from(changelogKey, 'utf8'), encodeOffset(offset));
    } catch (error) {
      throw lmdbFailure(error, this.#where);
    }
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
      let db: BinaryDb;
      try {
        db = this.#root.openDB<Buffer, Buffer>(name, DB_OPTIONS);
      } catch (error) {
        throw lmdbFailure(error, this.#where);
      }
      table = new LmdbTableBackend(name, db, this.#metaDb, this.#where, () => this.#tables.delete(name));
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
    try {
      this.#root.transactionSync(action);
    } catch (error) {
      throw lmdbFailure(error, this.#where);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tables.clear();
    // lmdb-js closes asynchronously (after pending async writes, of which we have none); reopening the same path
    // right away is supported, so nothing waits for it.
    void this.#root.close().catch(() => undefined);
    // All writes are synchronous and done: the data file is final, and the next owner may trust it as it is.
    markClosed(this.path);
  }

  #checkOpen(): void {
    if (this.#closed) throw new StreamsError(`the LMDB environment at ${this.path} is closed`);
  }
}

function openRoot(dir: string, maxDbs: number): RootDatabase<Buffer, Buffer> {
  return open<Buffer, Buffer>({ path: dir, maxDbs, noSubdir: false, ...DB_OPTIONS });
}

/**
 * Checks a store that may be damaged before LMDB touches it (see `LmdbEnvironment.open`). Undefined when it can be
 * used, else the damage found.
 */
function damageBeforeUse(dir: string, owner: PreviousOwner, options: LmdbEnvironmentOptions): string | undefined {
  if (owner.kind === 'new' || owner.kind === 'clean') return undefined;
  const dataFile = path.join(dir, 'data.mdb');
  const damage = checkLmdbTrees(dataFile);
  if (damage !== undefined) return damage;
  if (owner.kind !== 'crashed' || owner.crashes < (options.verifyInChildAfterCrashes ?? 2)) return undefined;
  const megabytes = fs.statSync(dataFile).size / 1_048_576;
  const verification = verifyLmdbInChildProcess(
    dir,
    options.maxDbs,
    CHILD_VERIFY_BASE_MS + Math.ceil(megabytes * CHILD_VERIFY_MS_PER_MB),
  );
  options.logger(
    `state directory ${dir}: its owner died with it open ${owner.crashes} times in a row; read it through in a ` +
      `child process (${megabytes.toFixed(1)} MB in ${Math.round(verification.durationMs)} ms): ` +
      (verification.problem ?? 'no damage found'),
  );
  return verification.problem === undefined ? undefined : `${dir}: ${verification.problem}`;
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
