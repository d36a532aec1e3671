/**
 * Describes the bytes store under a typed store: its name, whether it is persistent (LMDB) or in memory, and for
 * window and session stores the retention settings. Made by `Stores.persistentKeyValueStore(...)` and friends, and
 * passed to a builder (`Stores.keyValueStoreBuilder(supplier, keySerde, valueSerde)`).
 *
 * @see org.apache.kafka.streams.state.KeyValueBytesStoreSupplier
 */
export interface KeyValueBytesStoreSupplier {
  readonly kind: 'keyValue';
  readonly name: string;
  /** True for LMDB, false for in-memory. */
  readonly persistent: boolean;
}

/**
 * A versioned key-value store's bytes store (`Stores.persistentVersionedKeyValueStore`).
 *
 * @see org.apache.kafka.streams.state.VersionedBytesStoreSupplier
 */
export interface VersionedBytesStoreSupplier {
  readonly kind: 'versioned';
  readonly name: string;
  readonly persistent: boolean;
  /** How long older versions stay readable (`get(key, asOf)`) behind observed stream time. */
  readonly historyRetentionMs: number;
}

/** @see org.apache.kafka.streams.state.WindowBytesStoreSupplier */
export interface WindowBytesStoreSupplier {
  readonly kind: 'window';
  readonly name: string;
  readonly persistent: boolean;
  /** How long windows are kept after stream time passes their start (at least window size + grace). */
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  /** Keep every put as its own entry (stream-stream join buffers) instead of one value per key and window. */
  readonly retainDuplicates: boolean;
  /** Length of one segment; expired data is dropped a whole segment at a time. */
  readonly segmentIntervalMs: number;
}

/** @see org.apache.kafka.streams.state.SessionBytesStoreSupplier */
export interface SessionBytesStoreSupplier {
  readonly kind: 'session';
  readonly name: string;
  readonly persistent: boolean;
  /** How long sessions are kept after stream time passes their end (at least inactivity gap + grace). */
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
}

/** Options of `Stores.persistentWindowStore` / `Stores.inMemoryWindowStore`. */
export interface WindowStoreOptions {
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  /** Default false. */
  readonly retainDuplicates?: boolean;
  /** Default max(retentionMs / 2, 60 000), as Kafka Streams. */
  readonly segmentIntervalMs?: number;
}

/** Options of `Stores.persistentSessionStore` / `Stores.inMemorySessionStore`. */
export interface SessionStoreOptions {
  readonly retentionMs: number;
  /** Default max(retentionMs / 2, 60 000), as Kafka Streams. */
  readonly segmentIntervalMs?: number;
}
