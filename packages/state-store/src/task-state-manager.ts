import fs from 'node:fs';
import path from 'node:path';
import type { StateStore, StoreBuilder, TaskId } from '@kaskade/processor-api';
import {
  CorruptedStateError,
  IllegalStateError,
  InvalidStateStoreError,
  StreamsError,
  parseTaskId,
  taskIdToString,
} from '@kaskade/processor-api';
import type { ChangelogPartition, ChangelogSink } from './changelog-sink.js';
import { changelogTopicName } from './changelog-topic-name.js';
import type { BytesStore, ChangelogRecord } from './internal/bytes-store.js';
import { LmdbEnvironment } from './internal/lmdb-environment.js';
import { RecordCache } from './internal/record-cache.js';
import type { InitializableStore, StoreInitContext } from './internal/store-context.js';
import { INIT, isInitializableStore } from './internal/store-context.js';
import { WriteBufferMeter } from './internal/write-buffer-meter.js';

/** Options of a `TaskStateManager`. */
export interface TaskStateManagerOptions {
  readonly applicationId: string;
  readonly taskId: TaskId | string;
  /** `<stateDir>/<applicationId>/<taskId>`; LMDB stores live in `<taskDir>/lmdb`. */
  readonly taskDir: string;
  /** Where changelog records go (synchronously, without waiting for delivery). */
  readonly logChange: ChangelogSink;
  /** The task's stream time; window and session stores expire data by it (and by the times they are written). */
  readonly streamTimeMs: () => number;
  /**
   * The timestamp of the record being processed (stream time in a punctuation), used as the timestamp of changelog
   * records, as Kafka Streams uses the record context's timestamp. Defaults to `streamTimeMs`.
   */
  readonly recordTimestampMs?: () => number;
  /** Byte budget of the task's record cache, shared by all its caching stores. */
  readonly cacheMaxBytes: number;
  /** Receives warnings (a reset state directory, dropped uncommitted writes). Defaults to console.warn. */
  readonly logger?: (message: string) => void;
  /**
   * Counts a write that a store ignored on purpose — into a window or session already past retention — as Kafka
   * Streams' dropped-records metric does. Defaults to ignoring the count.
   */
  readonly recordDropped?: (storeName: string, reason: string) => void;
  /** LMDB's limit on named DBs in the task's environment (one per key-value store, one per window segment). */
  readonly maxDbs?: number;
}

/** A changelog partition of a store and where restoration starts (`committedOffset + 1`, or the beginning). */
export interface StoreChangelogPartition {
  readonly storeName: string;
  readonly topic: string;
  readonly partition: number;
  /** Last changelog offset reflected in the local data; undefined: restore from the beginning. */
  readonly committedOffset: number | undefined;
}

/** A changelog record to restore. */
export type RestoreRecord = ChangelogRecord;

const DEFAULT_MAX_DBS = 1_000;
const noop = (): void => undefined;

interface Registered {
  readonly store: InitializableStore;
  readonly bytes: BytesStore;
  /** The partition the store is backed up to and restored from; undefined for stores without a changelog. */
  readonly changelog: ChangelogPartition | undefined;
  readonly changelogKey: string | undefined;
  /** In-memory stores only: what their data reflects (LMDB keeps it in `__offsets`). */
  memoryOffset: number | undefined;
}

/**
 * The state of one task: opens its stores, and is the runtime's single entry point to restore, flush, commit, abort
 * and close them.
 *
 * The commit protocol: store writes go to per-store write buffers (and to the changelog as they happen, or when the
 * record cache flushes). `flushCaches()` pushes cached writes out; once the changelog records are acknowledged the
 * runtime calls `commit(offsets)`, which applies every buffer of the task together with the changelog offsets in ONE
 * LMDB transaction. Data and offsets therefore always move together: after a crash a store resumes from its offset,
 * never ahead of or behind it. `abort()` drops the buffers (an aborted exactly-once transaction).
 *
 * ```ts
 * const state = new TaskStateManager({ applicationId, taskId, taskDir, logChange, streamTimeMs, cacheMaxBytes });
 * const counts = state.register(countsBuilder, { topic: `${applicationId}-counts-changelog`, partition: 0 });
 * for (const p of state.changelogPartitions()) restoreFrom(p.topic, p.partition, (p.committedOffset ?? -1) + 1);
 * ```
 * @see org.apache.kafka.streams.processor.internals.ProcessorStateManager
 */
export class TaskStateManager {
  readonly applicationId: string;
  readonly taskId: string;
  readonly taskDir: string;
  readonly #partition: number;
  readonly #options: TaskStateManagerOptions;
  readonly #log: (message: string) => void;
  readonly #cache: RecordCache;
  readonly #writeBuffer = new WriteBufferMeter();
  readonly #stores = new Map<string, Registered>();
  readonly #byChangelog = new Map<string, Registered>();
  #lmdb: LmdbEnvironment | undefined;
  #wasReset = false;
  #closed = false;

  constructor(options: TaskStateManagerOptions) {
    this.#options = options;
    this.applicationId = options.applicationId;
    const taskId = typeof options.taskId === 'string' ? parseTaskId(options.taskId) : options.taskId;
    this.taskId = taskIdToString(taskId);
    this.#partition = taskId.partition;
    this.taskDir = options.taskDir;
    this.#log = options.logger ?? ((message) => console.warn(`[kaskade] task ${this.taskId}: ${message}`));
    this.#cache = new RecordCache(options.cacheMaxBytes);
  }

  /**
   * Creates the state directory `dir` if needed and checks that files can be written in it; throws a `StreamsError`
   * naming the path when not (a read-only directory or file system, a missing permission). Writing a file is the
   * only true test: permission bits do not tell what root, a read-only mount or an ACL allow.
   */
  static ensureStateDirectory(dir: string): void {
    const probe = path.join(dir, `.kaskade-write-check-${process.pid}`);
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(probe, '');
      fs.rmSync(probe);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new StreamsError(
        `the state directory ${dir} is not writable${code === undefined ? '' : ` (${code})`}: ` +
          `${(error as Error).message}; stores need a writable state directory (config stateDir)`,
        { cause: error, context: { path: dir } },
      );
    }
  }

  /**
   * True when the task's LMDB directory was unreadable when the first persistent store was registered, and was
   * deleted: its stores start empty and restore from the beginning of their changelogs.
   */
  get wasReset(): boolean {
    return this.#wasReset;
  }

  /** Bytes currently held by the task's record cache. */
  get cacheSizeBytes(): number {
    return this.#cache.sizeBytes;
  }

  /**
   * Estimated bytes held by the write buffers of the task's stores: everything written (or flushed from the record
   * cache) since the last commit. The runtime commits early when this passes its bound.
   */
  get uncommittedBytes(): number {
    return this.#writeBuffer.bytes;
  }

  /**
   * Builds the store, opens it in this task and returns it (typed, as processors use it).
   *
   * `changelog` is the partition the store is restored from (default when logging is enabled:
   * `<applicationId>-<store>-changelog`, the task's partition); changes are written to it only when the builder has
   * logging enabled (a store restored from a source topic passes the topic with logging disabled).
   */
  register<T extends StateStore>(builder: StoreBuilder<T>, changelog?: ChangelogPartition): T {
    this.#checkOpen();
    const name = builder.name;
    if (this.#stores.has(name)) {
      throw new IllegalStateError(`store "${name}" is already registered in task ${this.taskId}`, {
        context: { store: name, taskId: this.taskId },
      });
    }
    const store = builder.build();
    if (!isInitializableStore(store)) {
      throw new IllegalStateError(
        `store "${name}" was not built by @kaskade/state-store (use the builders from Stores)`,
        { context: { store: name, taskId: this.taskId } },
      );
    }
    const defaultTopic = changelogTopicName(this.applicationId, name);
    const source =
      changelog ?? (builder.loggingEnabled ? { topic: defaultTopic, partition: this.#partition } : undefined);
    const changelogKey = source === undefined ? undefined : `${source.topic}:${source.partition}`;
    if (changelogKey !== undefined && this.#byChangelog.has(changelogKey)) {
      throw new IllegalStateError(`changelog ${changelogKey} of store "${name}" is used by another store`, {
        context: { store: name, taskId: this.taskId },
      });
    }
    const context: StoreInitContext = {
      applicationId: this.applicationId,
      taskId: this.taskId,
      serdeTopic: source?.topic ?? defaultTopic,
      changelog: builder.loggingEnabled ? source : undefined,
      logChange: this.#options.logChange,
      cache: this.#cache,
      writeBuffer: this.#writeBuffer,
      lmdb: () => this.#environment(),
      streamTimeMs: this.#options.streamTimeMs,
      recordTimestampMs: this.#options.recordTimestampMs ?? this.#options.streamTimeMs,
      log: this.#log,
      recordDropped: this.#options.recordDropped ?? noop,
    };
    let bytes: BytesStore;
    try {
      bytes = store[INIT](context);
    } catch (error) {
      if (!(error instanceof CorruptedStateError) || !store.persistent) throw error;
      // The store's own data is unusable (the rest of the task's state is fine): wipe the store and its offset, so
      // that it restores from the beginning of its changelog.
      this.#log(`store "${name}": ${error.message}; wiping it, it will be restored from its changelog`);
      this.#environment().wipeStore(name, changelogKey);
      bytes = store[INIT](context);
    }
    const entry: Registered = { store, bytes, changelog: source, changelogKey, memoryOffset: undefined };
    this.#stores.set(name, entry);
    if (changelogKey !== undefined) this.#byChangelog.set(changelogKey, entry);
    return store as unknown as T;
  }

  /** A registered store by name. */
  getStore(name: string): StateStore | undefined {
    return this.#stores.get(name)?.store;
  }

  /** Names of the registered stores, in registration order. */
  storeNames(): string[] {
    return Array.from(this.#stores.keys());
  }

  /** The changelog partitions of the registered stores and the offsets that restoration starts after. */
  changelogPartitions(): StoreChangelogPartition[] {
    const out: StoreChangelogPartition[] = [];
    for (const [storeName, entry] of this.#stores) {
      if (entry.changelog === undefined) continue;
      out.push({
        storeName,
        topic: entry.changelog.topic,
        partition: entry.changelog.partition,
        committedOffset: this.#committedOffset(entry),
      });
    }
    return out;
  }

  /**
   * Applies a batch of changelog records of one partition to its store and remembers the last offset, in ONE LMDB
   * transaction for persistent stores. Nothing is logged. The store must have no uncommitted writes.
   */
  restoreBatch(topic: string, partition: number, records: readonly RestoreRecord[]): void {
    this.#checkOpen();
    const key = `${topic}:${partition}`;
    const entry = this.#byChangelog.get(key);
    if (entry === undefined) {
      throw new IllegalStateError(`no store of task ${this.taskId} is restored from ${key}`, {
        context: { topic, partition, taskId: this.taskId },
      });
    }
    if (records.length === 0) return;
    const bytes = entry.bytes;
    if (bytes.hasUncommittedWrites) {
      throw new IllegalStateError(
        `store "${bytes.name}" has uncommitted writes; commit or abort before restoring into it`,
        { context: { store: bytes.name, taskId: this.taskId } },
      );
    }
    bytes.clearCache();
    let lastOffset = records[0]!.offset;
    for (const record of records) if (record.offset > lastOffset) lastOffset = record.offset;
    if (bytes.persistent) {
      const lmdb = this.#environment();
      lmdb.transaction(() => {
        bytes.restore(records);
        lmdb.writeOffset(key, lastOffset);
      });
    } else {
      // In-memory stores keep the Buffers they are given, and a restore's may be views into one block holding a whole
      // batch (the native consumer's): one kept entry would keep the block alive. LMDB copies on write.
      bytes.restore(records.map(copyRecord));
      entry.memoryOffset = lastOffset;
    }
  }

  /** Pushes the dirty entries of every record cache to the changelog and the write buffers (each key once). */
  flushCaches(): void {
    this.#checkOpen();
    for (const entry of this.#stores.values()) entry.bytes.flushCache();
  }

  /**
   * Applies every store's write buffer and the given changelog offsets (`<topic>:<partition>` -> offset of the last
   * changelog record produced and acknowledged) in ONE LMDB transaction; in-memory stores apply theirs after it.
   * Call `flushCaches()` first (and wait for the changelog records); dirty cache entries are not committed.
   */
  commit(changelogOffsets: ReadonlyMap<string, number>): void {
    this.#checkOpen();
    const lmdb = this.#lmdb;
    if (lmdb !== undefined) {
      const stores: BytesStore[] = [];
      const offsets: [string, number][] = [];
      for (const entry of this.#stores.values()) {
        if (!entry.bytes.persistent) continue;
        if (entry.bytes.needsCommit) stores.push(entry.bytes);
        const key = entry.changelogKey;
        const offset = key === undefined ? undefined : changelogOffsets.get(key);
        if (offset !== undefined && offset !== lmdb.committedOffset(key!)) offsets.push([key!, offset]);
      }
      // Nothing changed: no transaction (and no fsync) for an idle task.
      if (stores.length > 0 || offsets.length > 0) {
        lmdb.transaction(() => {
          for (const store of stores) store.applyCommit();
          for (const [key, offset] of offsets) lmdb.writeOffset(key, offset);
        });
      }
    }
    for (const entry of this.#stores.values()) {
      const bytes = entry.bytes;
      if (!bytes.persistent) {
        if (bytes.needsCommit) bytes.applyCommit();
        const offset = entry.changelogKey === undefined ? undefined : changelogOffsets.get(entry.changelogKey);
        if (offset !== undefined) entry.memoryOffset = offset;
      }
      bytes.completeCommit();
    }
  }

  /** Drops all uncommitted writes and cache entries: the stores are back at the last commit. */
  abort(): void {
    this.#checkOpen();
    for (const entry of this.#stores.values()) entry.bytes.abort();
  }

  /** Closes the stores (and their open iterators) and the LMDB environment. Uncommitted writes are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    let first: unknown;
    for (const [name, entry] of this.#stores) {
      try {
        if (entry.bytes.hasUncommittedWrites)
          this.#log(`store "${name}" closed with uncommitted writes; they are dropped`);
        entry.store.close();
      } catch (error) {
        first ??= error;
      }
    }
    this.#lmdb?.close();
    this.#lmdb = undefined;
    if (first !== undefined) throw first;
  }

  #committedOffset(entry: Registered): number | undefined {
    if (entry.changelogKey === undefined) return undefined;
    if (!entry.bytes.persistent) return entry.memoryOffset;
    return this.#environment().committedOffset(entry.changelogKey);
  }

  #environment(): LmdbEnvironment {
    this.#checkOpen();
    if (this.#lmdb === undefined) {
      TaskStateManager.ensureStateDirectory(this.taskDir);
      const lmdb = LmdbEnvironment.open(path.join(this.taskDir, 'lmdb'), {
        maxDbs: this.#options.maxDbs ?? DEFAULT_MAX_DBS,
        logger: this.#log,
        taskId: this.taskId,
      });
      this.#lmdb = lmdb;
      this.#wasReset = lmdb.wasReset;
    }
    return this.#lmdb;
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new InvalidStateStoreError(`the state of task ${this.taskId} is closed`, {
        context: { taskId: this.taskId },
      });
    }
  }
}

function copyRecord(record: RestoreRecord): RestoreRecord {
  return {
    key: record.key === null ? null : Buffer.from(record.key),
    value: record.value === null ? null : Buffer.from(record.value),
    offset: record.offset,
    timestamp: record.timestamp,
  };
}
