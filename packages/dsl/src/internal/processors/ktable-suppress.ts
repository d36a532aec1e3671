import { PunctuationType, Record, StreamsError } from '@kaskade/processor-api';
import type { KeyValueStore, Processor, ProcessorContext, ProcessorSupplier, Serde } from '@kaskade/processor-api';
import type { BufferConfig } from '../../buffer-config.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import type { BufferedChange } from '../serde/buffered-change-serde.js';

/** How the buffer time of an update is defined and how long after it the update is emitted. */
export interface SuppressionSpec<K> {
  /** The time an entry is due from: window end for final results, the record's timestamp for a time limit. */
  readonly bufferTime: (key: K, recordTimestamp: number) => number;
  /** Emit when bufferTime <= observed stream time - waitMs (grace, or the time limit). */
  readonly waitMs: number;
  /** Final results drop tombstones (a merged-away session never closes as a result). */
  readonly dropTombstones: boolean;
  readonly bufferConfig: BufferConfig;
  /**
   * Final results only: also close windows on the wall clock, checked every this many ms — an entry is due once
   * wall-clock time - waitMs reaches its buffer time, even when no record advances stream time.
   */
  readonly wallClockCheckMs?: number | undefined;
}

interface IndexEntry<K> {
  readonly id: string;
  readonly key: K;
  readonly bufferTime: number;
  readonly seq: number;
  bytes: number;
}

/**
 * `KTable.suppress`: holds back a table's updates in a buffer and emits each key's latest update once it is due
 * (window end + grace <= stream time for `untilWindowCloses`; first update + time limit for `untilTimeLimit`). The
 * buffer lives in a key-value store (logged by default, so pending updates survive restarts) with an in-memory
 * index by due time, rebuilt from the store when the processor starts.
 *
 * @see org.apache.kafka.streams.kstream.internals.suppress.KTableSuppressProcessorSupplier
 */
export class KTableSuppress<K, V> implements ProcessorSupplier<K, Change<V>, K, Change<V>> {
  readonly #storeName: string;
  readonly #spec: SuppressionSpec<K>;
  readonly #keySerde: Serde<K>;

  constructor(storeName: string, spec: SuppressionSpec<K>, keySerde: Serde<K>) {
    this.#storeName = storeName;
    this.#spec = spec;
    this.#keySerde = keySerde;
  }

  get(): Processor<K, Change<V>, K, Change<V>> {
    return new KTableSuppressProcessor(this.#storeName, this.#spec, this.#keySerde);
  }
}

class KTableSuppressProcessor<K, V> extends ContextualProcessor<K, Change<V>, K, Change<V>> {
  readonly #storeName: string;
  readonly #spec: SuppressionSpec<K>;
  readonly #keySerde: Serde<K>;
  #store!: KeyValueStore<K, BufferedChange<V>>;
  /** Entries by serialized key, and the same entries ordered by (buffer time, arrival). */
  readonly #byId = new Map<string, IndexEntry<K>>();
  #ordered: IndexEntry<K>[] = [];
  #head = 0;
  #seq = 0;
  #bytes = 0;
  #observedStreamTime = -1;
  /** Windows whose buffer time is at or before this were closed by the wall clock (-Infinity: none). */
  #wallClockClosed = -Infinity;

  constructor(storeName: string, spec: SuppressionSpec<K>, keySerde: Serde<K>) {
    super();
    this.#storeName = storeName;
    this.#spec = spec;
    this.#keySerde = keySerde;
  }

  override init(context: ProcessorContext<K, Change<V>>): void {
    super.init(context);
    this.#store = context.getStateStore<KeyValueStore<K, BufferedChange<V>>>(this.#storeName);
    const restored: IndexEntry<K>[] = [];
    const all = this.#store.all();
    try {
      for (const { key, value } of all) {
        const id = this.#id(key);
        const entry: IndexEntry<K> = { id, key, bufferTime: value.bufferTime, seq: this.#seq++, bytes: 0 };
        restored.push(entry);
        this.#byId.set(id, entry);
      }
    } finally {
      all.close();
    }
    restored.sort((a, b) => a.bufferTime - b.bufferTime || a.seq - b.seq);
    this.#ordered = restored;
    const checkMs = this.#spec.wallClockCheckMs;
    if (checkMs !== undefined) {
      // Windows already past their close on the wall clock at start stay closed; their pending results go out at the
      // first check. One punctuation per task, not per record: nothing on the hot path but a comparison.
      this.#wallClockClosed = context.currentSystemTimeMs() - this.#spec.waitMs;
      context.schedule(checkMs, PunctuationType.WALL_CLOCK_TIME, (now) => this.#closeOnWallClock(now));
    }
  }

  process(record: Record<K, Change<V>>): void {
    this.#observedStreamTime = Math.max(this.#observedStreamTime, record.timestamp);
    if (this.#spec.bufferTime(record.key, record.timestamp) <= this.#wallClockClosed) {
      // Its window was closed (and its result emitted) on the wall clock: a later update must not emit it twice.
      this.context.recordDropped('window-closed');
      return;
    }
    this.#buffer(record);
    this.#enforceConstraints(record);
  }

  #buffer(record: Record<K, Change<V>>): void {
    const key = record.key;
    const id = this.#id(key);
    const existing = this.#byId.get(id);
    const previous = existing === undefined ? undefined : this.#store.get(key);
    // The value emitted as "old" is the one before the first held-back update: what downstream saw last.
    const prior = previous === undefined ? record.value.oldValue : previous.change.oldValue;
    const bufferTime = existing?.bufferTime ?? this.#spec.bufferTime(key, record.timestamp);
    const value: BufferedChange<V> = {
      bufferTime,
      recordTimestamp: record.timestamp,
      change: change(record.value.newValue, prior),
    };
    this.#store.put(key, value);
    const bytes = id.length + approximateSize(record.value.newValue) + approximateSize(prior) + 16;
    if (existing !== undefined) {
      this.#bytes += bytes - existing.bytes;
      existing.bytes = bytes;
      return;
    }
    const entry: IndexEntry<K> = { id, key, bufferTime, seq: this.#seq++, bytes };
    this.#bytes += bytes;
    this.#byId.set(id, entry);
    this.#insert(entry);
  }

  #enforceConstraints(record: Record<K, Change<V>>): void {
    const expiry = this.#observedStreamTime - this.#spec.waitMs;
    for (let e = this.#peek(); e !== undefined && e.bufferTime <= expiry; e = this.#peek()) this.#emit(e, record);
    const config = this.#spec.bufferConfig;
    const over = () => this.#byId.size > config.maxRecords || this.#bytes > config.maxBytes;
    if (!over()) return;
    if (config.whenFull === 'shut-down') {
      throw new StreamsError(
        `suppression buffer "${this.#storeName}" exceeded its capacity: ${this.#byId.size}/${config.maxRecords} records, ~${this.#bytes}/${config.maxBytes} bytes`,
        { context: { store: this.#storeName } },
      );
    }
    for (let e = this.#peek(); e !== undefined && over(); e = this.#peek()) this.#emit(e, record);
  }

  /** Emits every entry whose window closed by wall-clock time `nowMs`. */
  #closeOnWallClock(nowMs: number): void {
    this.#wallClockClosed = Math.max(this.#wallClockClosed, nowMs - this.#spec.waitMs);
    for (let e = this.#peek(); e !== undefined && e.bufferTime <= this.#wallClockClosed; e = this.#peek()) {
      this.#emit(e, undefined);
    }
  }

  /** `current`: the record being processed (its headers go along), undefined in a punctuation. */
  #emit(entry: IndexEntry<K>, current: Record<K, Change<V>> | undefined): void {
    this.#head++;
    this.#byId.delete(entry.id);
    this.#bytes -= entry.bytes;
    const buffered = this.#store.delete(entry.key);
    if (this.#head > 1024 && this.#head * 2 > this.#ordered.length) {
      this.#ordered = this.#ordered.slice(this.#head);
      this.#head = 0;
    }
    if (buffered === undefined) return;
    if (buffered.change.newValue === null && this.#spec.dropTombstones) return;
    this.context.forward(
      current === undefined
        ? new Record(entry.key, buffered.change, buffered.recordTimestamp)
        : current.withKey(entry.key).withValue(buffered.change).withTimestamp(buffered.recordTimestamp),
    );
  }

  #peek(): IndexEntry<K> | undefined {
    return this.#ordered[this.#head];
  }

  /** Inserts in (buffer time, arrival) order; entries mostly arrive in order, so search from the end. */
  #insert(entry: IndexEntry<K>): void {
    const list = this.#ordered;
    let i = list.length;
    while (i > this.#head && list[i - 1]!.bufferTime > entry.bufferTime) i--;
    list.splice(i, 0, entry);
  }

  #id(key: K): string {
    return this.#keySerde.serialize(this.#storeName, key).toString('latin1');
  }
}

/** A rough in-memory size for the maxBytes bound (the buffer's serdes are not run twice per update). */
function approximateSize(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return value.length * 2;
  if (Buffer.isBuffer(value)) return value.length;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return 8;
  try {
    return JSON.stringify(value)?.length ?? 16;
  } catch {
    return 64;
  }
}
