import { VERSIONED_PUT_NOT_PUT, VERSIONED_PUT_VALID_TO_UNDEFINED } from '@kaskade/processor-api';
import type { Serde, VersionedKeyValueStore, VersionedRecord } from '@kaskade/processor-api';
import type { VersionedBytesStoreSupplier } from '../store-suppliers.js';
import { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { StoreInitContext } from './store-context.js';
import { MemoryTableBackend } from './table-backend.js';
import type { TableConfig } from './table.js';
import { TypedStore } from './typed-store.js';
import type { Version } from './version-history.js';
import { decodeHistory, encodeHistory, insertVersion, prune, versionAt } from './version-history.js';

export interface TypedVersionedKeyValueStoreOptions<K, V> {
  readonly supplier: VersionedBytesStoreSupplier;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly logging: boolean;
}

const identity = (bytes: Buffer): Buffer => bytes;

/**
 * A versioned key-value store (KIP-889) over one LMDB table: each key's versions are kept together in its stored
 * value (see version-history.ts), so a read as of a timestamp is one lookup. Each write logs the key's whole history
 * (bounded by the retention) to the changelog, and restoration writes it back as it is. Observed stream time is the
 * largest timestamp written (or the task's stream time, when larger: after a restart).
 *
 * @see org.apache.kafka.streams.state.internals.RocksDBVersionedStore
 */
export class TypedVersionedKeyValueStore<K, V>
  extends TypedStore<KeyValueBytesStore>
  implements VersionedKeyValueStore<K, V>
{
  readonly historyRetentionMs: number;
  readonly #supplier: VersionedBytesStoreSupplier;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  #observed = Number.NEGATIVE_INFINITY;
  protected readonly toChangelogKey = identity;

  constructor(options: TypedVersionedKeyValueStoreOptions<K, V>) {
    super({
      name: options.supplier.name,
      persistent: options.supplier.persistent,
      logging: options.logging,
      caching: false,
      timestamped: false,
    });
    this.#supplier = options.supplier;
    this.historyRetentionMs = options.supplier.historyRetentionMs;
    this.#keySerde = options.keySerde;
    this.#valueSerde = options.valueSerde;
  }

  protected createBytesStore(context: StoreInitContext, config: TableConfig): KeyValueBytesStore {
    const backend = this.#supplier.persistent ? context.lmdb().table(`kv:${this.name}`) : new MemoryTableBackend();
    return new KeyValueBytesStore(this.name, backend, config, false);
  }

  protected override cachingSupported(): boolean {
    return false; // as Kafka Streams: versioned stores are never cached
  }

  put(key: K, value: V | null, timestamp: number): number {
    const bytes = this.bytes();
    this.checkKey(key);
    if (!Number.isSafeInteger(timestamp)) {
      throw new TypeError(`store "${this.name}": the timestamp must be an integer, got ${String(timestamp)}`);
    }
    const observed = Math.max(this.#observed, this.streamTimeMs(), timestamp);
    this.#observed = observed;
    const horizon = observed - this.historyRetentionMs;
    if (timestamp < horizon) return VERSIONED_PUT_NOT_PUT;
    const keyBytes = this.serialize(this.#keySerde, key, 'key');
    const versions = decodeHistory(bytes.get(keyBytes));
    const serialized = value === null || value === undefined ? null : this.serialize(this.#valueSerde, value, 'value');
    const at = insertVersion(versions, { timestamp, value: serialized });
    const validTo = at === 0 ? VERSIONED_PUT_VALID_TO_UNDEFINED : versions[at - 1]!.timestamp;
    const kept = prune(versions, horizon);
    bytes.put(keyBytes, kept ? encodeHistory(versions) : null, timestamp);
    return validTo;
  }

  delete(key: K, timestamp: number): VersionedRecord<V> | undefined {
    const before = this.get(key, timestamp);
    this.put(key, null, timestamp);
    return before;
  }

  get(key: K, asOfTimestamp?: number): VersionedRecord<V> | undefined {
    const bytes = this.bytes();
    this.checkKey(key);
    if (asOfTimestamp !== undefined) {
      const observed = Math.max(this.#observed, this.streamTimeMs());
      if (asOfTimestamp < observed - this.historyRetentionMs) return undefined;
    }
    const versions = decodeHistory(bytes.get(this.serialize(this.#keySerde, key, 'key')));
    const i = asOfTimestamp === undefined ? (versions.length > 0 ? 0 : -1) : versionAt(versions, asOfTimestamp);
    return i < 0 ? undefined : this.#record(versions, i);
  }

  #record(versions: readonly Version[], i: number): VersionedRecord<V> | undefined {
    const version = versions[i]!;
    if (version.value === null) return undefined;
    const value = this.deserialize(this.#valueSerde, version.value, 'value');
    return i === 0
      ? { value, timestamp: version.timestamp }
      : { value, timestamp: version.timestamp, validTo: versions[i - 1]!.timestamp };
  }
}
