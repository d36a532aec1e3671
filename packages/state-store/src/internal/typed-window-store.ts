import type { KeyValueIterator, Serde, Windowed, WindowStore, WindowStoreIterator } from '@kaskade/processor-api';
import type { CacheFlushListener, CachedStateStore } from '../cached-state-store.js';
import type { WindowBytesStoreSupplier } from '../store-suppliers.js';
import { storedToChangelog } from './key-schema.js';
import type { RawEntry } from './raw-iterator.js';
import { lmdbSegments, memorySegments } from './segment-backends.js';
import type { StoreInitContext } from './store-context.js';
import type { TableConfig } from './table.js';
import { reversed } from './reversed-iterator.js';
import { TypedStore } from './typed-store.js';
import { WindowBytesStore } from './window-bytes-store.js';

export interface TypedWindowStoreOptions<K, V> {
  readonly supplier: WindowBytesStoreSupplier;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly logging: boolean;
  readonly caching: boolean;
  /** When set, values are ValueAndTimestamp and this gives their timestamp. */
  readonly timestampOf?: (value: V) => number;
}

/** A window store with serdes over a WindowBytesStore (LMDB or in-memory segments). */
export class TypedWindowStore<K, V>
  extends TypedStore<WindowBytesStore>
  implements WindowStore<K, V>, CachedStateStore<Windowed<K>, V>
{
  readonly #supplier: WindowBytesStoreSupplier;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  readonly #timestampOf: ((value: V) => number) | undefined;
  readonly #decodeValue = (entry: RawEntry): V => this.deserialize(this.#valueSerde, entry.value, 'value');
  readonly #decodeStart = (entry: RawEntry): number => this.bytes().schema.windowStart(entry.key);
  readonly #decodeWindowed = (entry: RawEntry): Windowed<K> => this.#windowed(entry.key);
  protected readonly toChangelogKey = storedToChangelog;

  constructor(options: TypedWindowStoreOptions<K, V>) {
    super({
      name: options.supplier.name,
      persistent: options.supplier.persistent,
      logging: options.logging,
      caching: options.caching,
      timestamped: options.timestampOf !== undefined,
    });
    this.#supplier = options.supplier;
    this.#keySerde = options.keySerde;
    this.#valueSerde = options.valueSerde;
    this.#timestampOf = options.timestampOf;
  }

  get windowSizeMs(): number {
    return this.#supplier.windowSizeMs;
  }

  get retentionMs(): number {
    return this.#supplier.retentionMs;
  }

  protected createBytesStore(context: StoreInitContext, config: TableConfig): WindowBytesStore {
    const s = this.#supplier;
    return new WindowBytesStore({
      name: this.name,
      retentionMs: s.retentionMs,
      segmentIntervalMs: s.segmentIntervalMs,
      windowSizeMs: s.windowSizeMs,
      retainDuplicates: s.retainDuplicates,
      timestamped: this.options.timestamped,
      backends: s.persistent ? lmdbSegments(context.lmdb(), 'w', this.name, s.segmentIntervalMs) : memorySegments,
      config,
      streamTimeMs: context.streamTimeMs,
      onExpiredWrite: () => context.recordDropped(this.name, EXPIRED_WINDOW),
    });
  }

  /** Every put of a duplicate-retaining store is a new entry, so a cache would merge nothing. */
  protected override cachingSupported(): boolean {
    return !this.#supplier.retainDuplicates;
  }

  put(key: K, value: V | null, windowStartMs: number): void {
    const bytes = this.bytes();
    this.checkKey(key);
    checkTime(this.name, windowStartMs);
    const keyBytes = this.serialize(this.#keySerde, key, 'key');
    if (value === null || value === undefined) {
      bytes.put(keyBytes, null, windowStartMs, this.recordTimestampMs());
      return;
    }
    const timestamp = this.#timestampOf === undefined ? this.recordTimestampMs() : this.#timestampOf(value);
    bytes.put(keyBytes, this.serialize(this.#valueSerde, value, 'value'), windowStartMs, timestamp);
  }

  fetch(key: K, windowStartMs: number): V | undefined;
  fetch(key: K, timeFromMs: number, timeToMs: number): WindowStoreIterator<V>;
  fetch(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFromMs: number,
    timeToMs: number,
  ): KeyValueIterator<Windowed<K>, V>;
  // Kafka Streams' overloads, told apart by which arguments are present (a time is always a number).
  fetch(
    a: K | undefined,
    b: K | number | undefined,
    c?: number,
    d?: number,
  ): V | undefined | WindowStoreIterator<V> | KeyValueIterator<Windowed<K>, V> {
    if (c === undefined) return this.#fetchOne(a as K, b as number);
    if (d === undefined) return this.#fetchKey(a as K, b as number, c);
    return this.#fetchKeys(a, b as K | undefined, c, d);
  }

  backwardFetch(key: K, timeFromMs: number, timeToMs: number): WindowStoreIterator<V>;
  backwardFetch(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFromMs: number,
    timeToMs: number,
  ): KeyValueIterator<Windowed<K>, V>;
  backwardFetch(
    a: K | undefined,
    b: K | number | undefined,
    c: number,
    d?: number,
  ): WindowStoreIterator<V> | KeyValueIterator<Windowed<K>, V> {
    return d === undefined
      ? reversed(this.#fetchKey(a as K, b as number, c))
      : reversed(this.#fetchKeys(a, b as K | undefined, c, d));
  }

  #fetchOne(key: K, windowStartMs: number): V | undefined {
    const bytes = this.bytes();
    this.checkKey(key);
    const value = bytes.fetch(this.serialize(this.#keySerde, key, 'key'), windowStartMs);
    return value === undefined ? undefined : this.deserialize(this.#valueSerde, value, 'value');
  }

  #fetchKey(key: K, timeFromMs: number, timeToMs: number): WindowStoreIterator<V> {
    const bytes = this.bytes();
    this.checkKey(key);
    const source = bytes.fetchRange(this.serialize(this.#keySerde, key, 'key'), timeFromMs, timeToMs);
    return this.iterators.create(source, this.#decodeStart, this.#decodeValue);
  }

  #fetchKeys(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFromMs: number,
    timeToMs: number,
  ): KeyValueIterator<Windowed<K>, V> {
    const bytes = this.bytes();
    const lo = keyFrom === undefined || keyFrom === null ? undefined : this.serialize(this.#keySerde, keyFrom, 'key');
    const hi = keyTo === undefined || keyTo === null ? undefined : this.serialize(this.#keySerde, keyTo, 'key');
    const source = bytes.fetchKeyRange(lo, hi, timeFromMs, timeToMs);
    return this.iterators.create(source, this.#decodeWindowed, this.#decodeValue);
  }

  fetchAll(timeFromMs: number, timeToMs: number): KeyValueIterator<Windowed<K>, V> {
    return this.#fetchKeys(undefined, undefined, timeFromMs, timeToMs);
  }

  backwardFetchAll(timeFromMs: number, timeToMs: number): KeyValueIterator<Windowed<K>, V> {
    return reversed(this.fetchAll(timeFromMs, timeToMs));
  }

  all(): KeyValueIterator<Windowed<K>, V> {
    return this.#fetchKeys(undefined, undefined, 0, Number.POSITIVE_INFINITY);
  }

  backwardAll(): KeyValueIterator<Windowed<K>, V> {
    return reversed(this.all());
  }

  setFlushListener(listener: CacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): boolean {
    const valueSerde = this.#valueSerde;
    return this.setRawFlushListener((key, newValue, oldValue, timestampMs) => {
      listener(
        this.#windowed(key),
        newValue === null ? undefined : this.deserialize(valueSerde, newValue, 'value'),
        oldValue === undefined ? undefined : this.deserialize(valueSerde, oldValue, 'value'),
        timestampMs,
      );
    }, sendOldValues);
  }

  #windowed(stored: Buffer): Windowed<K> {
    const schema = this.bytes().schema;
    const start = schema.windowStart(stored);
    return {
      key: this.deserialize(this.#keySerde, schema.userKey(stored), 'key'),
      window: { start, end: start + this.#supplier.windowSizeMs },
    };
  }
}

/** The reason given to `recordDropped` for writes into expired windows or sessions. */
export const EXPIRED_WINDOW = 'expired window';

export function checkTime(storeName: string, timeMs: number): void {
  if (!Number.isSafeInteger(timeMs) || timeMs < 0) {
    throw new RangeError(`store "${storeName}": window times must be non-negative integers (ms), got ${timeMs}`);
  }
}
