import type { KeyValue, KeyValueIterator, KeyValueStore, Serde } from '@kaskade/processor-api';
import type { CacheFlushListener, CachedStateStore } from '../cached-state-store.js';
import type { KeyValueBytesStoreSupplier } from '../store-suppliers.js';
import { prefixUpperBound } from './bytes.js';
import { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { RawEntry, RawIterator } from './raw-iterator.js';
import { EMPTY_ITERATOR } from './raw-iterator.js';
import type { StoreInitContext } from './store-context.js';
import { MemoryTableBackend } from './table-backend.js';
import type { TableConfig } from './table.js';
import { TtlSweeper } from './ttl-sweeper.js';
import { TypedStore } from './typed-store.js';

export interface TypedKeyValueStoreOptions<K, V> {
  readonly supplier: KeyValueBytesStoreSupplier;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly logging: boolean;
  readonly caching: boolean;
  /** When set, values are ValueAndTimestamp and this gives their timestamp. */
  readonly timestampOf?: (value: V) => number;
  /** Expires entries not written for this long in stream time (timestamped stores only; see TtlSweeper). */
  readonly ttlMs?: number | undefined;
}

const identity = (bytes: Buffer): Buffer => bytes;

/** A key-value store with serdes over a KeyValueBytesStore (LMDB or in-memory). */
export class TypedKeyValueStore<K, V>
  extends TypedStore<KeyValueBytesStore>
  implements KeyValueStore<K, V>, CachedStateStore<K, V>
{
  readonly #supplier: KeyValueBytesStoreSupplier;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  readonly #timestampOf: ((value: V) => number) | undefined;
  readonly #ttl: TtlSweeper | undefined;
  readonly #decodeKey = (entry: RawEntry): K => this.deserialize(this.#keySerde, entry.key, 'key');
  readonly #decodeValue = (entry: RawEntry): V => this.deserialize(this.#valueSerde, entry.value, 'value');
  protected readonly toChangelogKey = identity;

  constructor(options: TypedKeyValueStoreOptions<K, V>) {
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
    this.#ttl = options.ttlMs === undefined ? undefined : new TtlSweeper(options.ttlMs);
  }

  protected createBytesStore(context: StoreInitContext, config: TableConfig): KeyValueBytesStore {
    const backend = this.#supplier.persistent ? context.lmdb().table(`kv:${this.name}`) : new MemoryTableBackend();
    return new KeyValueBytesStore(this.name, backend, config, this.options.timestamped);
  }

  get(key: K): V | undefined {
    const bytes = this.bytes();
    this.checkKey(key);
    const value = bytes.get(this.serialize(this.#keySerde, key, 'key'));
    if (value !== undefined && this.#ttl?.isExpired(value, this.streamTimeMs()) === true) return undefined;
    return value === undefined ? undefined : this.deserialize(this.#valueSerde, value, 'value');
  }

  /** Writes the value; a null or undefined value deletes the key (as Kafka Streams' put(key, null)). */
  put(key: K, value: V): void {
    const bytes = this.bytes();
    this.checkKey(key);
    const keyBytes = this.serialize(this.#keySerde, key, 'key');
    if (value === null || value === undefined) {
      bytes.put(keyBytes, null, this.recordTimestampMs());
      return;
    }
    const timestamp = this.#timestampOf === undefined ? this.recordTimestampMs() : this.#timestampOf(value);
    bytes.put(keyBytes, this.serialize(this.#valueSerde, value, 'value'), timestamp);
    this.#ttl?.afterWrite(bytes, this.streamTimeMs());
  }

  putIfAbsent(key: K, value: V): V | undefined {
    const existing = this.get(key);
    if (existing === undefined) this.put(key, value);
    return existing;
  }

  putAll(entries: readonly KeyValue<K, V>[]): void {
    for (const { key, value } of entries) this.put(key, value);
  }

  delete(key: K): V | undefined {
    const existing = this.get(key);
    this.bytes().put(this.serialize(this.#keySerde, key, 'key'), null, this.recordTimestampMs());
    return existing;
  }

  range(from?: K, to?: K): KeyValueIterator<K, V> {
    return this.#range(from, to, false);
  }

  reverseRange(from?: K, to?: K): KeyValueIterator<K, V> {
    return this.#range(from, to, true);
  }

  all(): KeyValueIterator<K, V> {
    return this.#iterator(this.bytes().range(undefined, undefined, true, false));
  }

  reverseAll(): KeyValueIterator<K, V> {
    return this.#iterator(this.bytes().range(undefined, undefined, true, true));
  }

  prefixScan<P>(prefix: P, prefixSerializer: (prefix: P) => Buffer): KeyValueIterator<K, V> {
    const bytes = this.bytes();
    const lo = prefixSerializer(prefix);
    return this.#iterator(bytes.range(lo, prefixUpperBound(lo), false, false));
  }

  approximateNumEntries(): number {
    return this.bytes().approximateNumEntries();
  }

  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): boolean {
    const keySerde = this.#keySerde;
    const valueSerde = this.#valueSerde;
    return this.setRawFlushListener((key, newValue, oldValue, timestampMs) => {
      listener(
        this.deserialize(keySerde, key, 'key'),
        newValue === null ? undefined : this.deserialize(valueSerde, newValue, 'value'),
        oldValue === undefined ? undefined : this.deserialize(valueSerde, oldValue, 'value'),
        timestampMs,
      );
    }, sendOldValues);
  }

  #range(from: K | undefined, to: K | undefined, reverse: boolean): KeyValueIterator<K, V> {
    const bytes = this.bytes();
    const lo = from === undefined || from === null ? undefined : this.serialize(this.#keySerde, from, 'key');
    const hi = to === undefined || to === null ? undefined : this.serialize(this.#keySerde, to, 'key');
    // from > to is an empty range (Kafka Streams logs a warning and returns nothing).
    const source: RawIterator =
      lo !== undefined && hi !== undefined && Buffer.compare(lo, hi) > 0
        ? EMPTY_ITERATOR
        : bytes.range(lo, hi, true, reverse);
    return this.#iterator(source);
  }

  #iterator(raw: RawIterator): KeyValueIterator<K, V> {
    const source = this.#ttl === undefined ? raw : this.#ttl.unexpired(raw, this.streamTimeMs());
    return this.iterators.create(source, this.#decodeKey, this.#decodeValue);
  }
}
