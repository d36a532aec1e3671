import type { Serde } from '@kaskade/processor-api';
import { ConfigError } from '@kaskade/processor-api';
import { KeyValueStoreBuilder, TimestampedKeyValueStoreBuilder } from './key-value-store-builder.js';
import { SessionStoreBuilder } from './session-store-builder.js';
import type {
  KeyValueBytesStoreSupplier,
  SessionBytesStoreSupplier,
  SessionStoreOptions,
  VersionedBytesStoreSupplier,
  WindowBytesStoreSupplier,
  WindowStoreOptions,
} from './store-suppliers.js';
import { TimestampedWindowStoreBuilder, WindowStoreBuilder } from './window-store-builder.js';
import { VersionedKeyValueStoreBuilder } from './versioned-key-value-store-builder.js';

/** Kafka Streams' default segment interval: max(retention / 2, 60 s). */
function defaultSegmentInterval(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}

function fail(field: string, message: string): never {
  throw new ConfigError(`${field} ${message}`, [{ field, message }]);
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) fail('name', 'must be a non-empty string');
}

function checkDuration(field: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) fail(field, `must be an integer >= ${min} (ms), got ${value}`);
}

function windowSupplier(name: string, persistent: boolean, options: WindowStoreOptions): WindowBytesStoreSupplier {
  checkName(name);
  const { retentionMs, windowSizeMs } = options;
  checkDuration('retentionMs', retentionMs, 0);
  checkDuration('windowSizeMs', windowSizeMs, 0);
  if (windowSizeMs > retentionMs) {
    fail(
      'retentionMs',
      `of window store "${name}" (${retentionMs}) must not be smaller than its window size (${windowSizeMs})`,
    );
  }
  const segmentIntervalMs = options.segmentIntervalMs ?? defaultSegmentInterval(retentionMs);
  checkDuration('segmentIntervalMs', segmentIntervalMs, 1);
  return Object.freeze({
    kind: 'window',
    name,
    persistent,
    retentionMs,
    windowSizeMs,
    retainDuplicates: options.retainDuplicates ?? false,
    segmentIntervalMs,
  });
}

function sessionSupplier(name: string, persistent: boolean, options: SessionStoreOptions): SessionBytesStoreSupplier {
  checkName(name);
  checkDuration('retentionMs', options.retentionMs, 0);
  const segmentIntervalMs = options.segmentIntervalMs ?? defaultSegmentInterval(options.retentionMs);
  checkDuration('segmentIntervalMs', segmentIntervalMs, 1);
  return Object.freeze({ kind: 'session', name, persistent, retentionMs: options.retentionMs, segmentIntervalMs });
}

/**
 * Factory of store suppliers and builders, named as in Kafka Streams.
 *
 * ```ts
 * const counts = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), Serdes.String(), Serdes.Int64())
 *   .withCachingEnabled();
 * topology.addStateStore(counts, 'counter');
 * ```
 * Persistent stores live in LMDB under the task directory; in-memory stores are rebuilt from the changelog when a task
 * opens. Both log to the changelog by default and see their own uncommitted writes.
 *
 * @see org.apache.kafka.streams.state.Stores
 */
export const Stores = Object.freeze({
  /** A key-value store in LMDB. */
  persistentKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    checkName(name);
    return Object.freeze({ kind: 'keyValue', name, persistent: true });
  },

  /** A key-value store in memory (a sorted map). */
  inMemoryKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    checkName(name);
    return Object.freeze({ kind: 'keyValue', name, persistent: false });
  },

  /** A window store in LMDB, one named DB per time segment. */
  /**
   * A versioned key-value store in LMDB that keeps each key's older versions readable for `historyRetentionMs` behind
   * observed stream time (KIP-889); for tables joined as of the stream record's time (`Materialized.as(supplier)`).
   */
  persistentVersionedKeyValueStore(name: string, historyRetentionMs: number): VersionedBytesStoreSupplier {
    checkName(name);
    checkDuration('historyRetentionMs', historyRetentionMs, 0);
    return Object.freeze({ kind: 'versioned', name, persistent: true, historyRetentionMs });
  },

  versionedKeyValueStoreBuilder<K, V>(
    supplier: VersionedBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): VersionedKeyValueStoreBuilder<K, V> {
    return new VersionedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },

  persistentWindowStore(name: string, options: WindowStoreOptions): WindowBytesStoreSupplier {
    return windowSupplier(name, true, options);
  },

  /** A window store in memory. */
  inMemoryWindowStore(name: string, options: WindowStoreOptions): WindowBytesStoreSupplier {
    return windowSupplier(name, false, options);
  },

  /** A session store in LMDB, one named DB per time segment. */
  persistentSessionStore(name: string, options: SessionStoreOptions): SessionBytesStoreSupplier {
    return sessionSupplier(name, true, options);
  },

  /** A session store in memory. */
  inMemorySessionStore(name: string, options: SessionStoreOptions): SessionBytesStoreSupplier {
    return sessionSupplier(name, false, options);
  },

  keyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },

  timestampedKeyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): TimestampedKeyValueStoreBuilder<K, V> {
    return new TimestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },

  windowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(supplier, keySerde, valueSerde);
  },

  timestampedWindowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): TimestampedWindowStoreBuilder<K, V> {
    return new TimestampedWindowStoreBuilder(supplier, keySerde, valueSerde);
  },

  sessionStoreBuilder<K, AGG>(
    supplier: SessionBytesStoreSupplier,
    keySerde: Serde<K>,
    aggregateSerde: Serde<AGG>,
  ): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder(supplier, keySerde, aggregateSerde);
  },
});
