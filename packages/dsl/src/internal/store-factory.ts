import { TopologyError } from '@kaskade/processor-api';
import type { Serde, StateStore, StoreBuilder } from '@kaskade/processor-api';
import { Stores } from '@kaskade/state-store';
import type {
  KeyValueBytesStoreSupplier,
  SessionBytesStoreSupplier,
  WindowBytesStoreSupplier,
} from '@kaskade/state-store';
import type { Materialized, MaterializedStoreType } from '../materialized.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';

/** Logging and caching as `Materialized` (or StreamJoined/Suppressed) asks; the store builders' defaults otherwise. */
export interface StoreSettings {
  readonly loggingEnabled: boolean;
  readonly logConfig: Readonly<{ [key: string]: string }>;
  readonly cachingEnabled: boolean;
  readonly storeType: MaterializedStoreType | undefined;
}

export function settingsOf(materialized: Materialized<unknown, unknown> | undefined): StoreSettings {
  return {
    loggingEnabled: materialized?.loggingEnabled ?? true,
    logConfig: materialized?.logConfig ?? {},
    cachingEnabled: materialized?.cachingEnabled ?? true,
    storeType: materialized?.storeType,
  };
}

interface Configurable<B> {
  withLoggingEnabled(config?: { [key: string]: string }): B;
  withLoggingDisabled(): B;
  withCachingEnabled(): B;
}

function configure<B extends Configurable<B>>(builder: B, settings: StoreSettings): B {
  let b = settings.loggingEnabled
    ? builder.withLoggingEnabled({ ...settings.logConfig })
    : builder.withLoggingDisabled();
  if (settings.cachingEnabled) b = b.withCachingEnabled();
  return b;
}

/** Window and session stores expire by retention; a TTL there is a mistake worth naming. */
function refuseTtl(storeName: string, materialized: Materialized<unknown, unknown> | undefined, kind: string): void {
  if (materialized?.ttlMs !== undefined) {
    throw new TopologyError(
      `store "${storeName}": Materialized.withTtl applies to key-value stores; a ${kind} store expires by retention (withRetention)`,
      { context: { store: storeName } },
    );
  }
}

function wrongSupplier(storeName: string, expected: string, got: string): never {
  throw new TopologyError(`store "${storeName}" needs a ${expected} store supplier, got a ${got} one`, {
    context: { store: storeName },
  });
}

/** Adds a timestamped key-value store (the store of aggregations and tables) to the builder. */
export function addTimestampedKeyValueStore(
  builder: InternalStreamsBuilder,
  storeName: string,
  materialized: Materialized<unknown, unknown> | undefined,
  keySerde: Serde<unknown>,
  valueSerde: Serde<unknown>,
  /** A global table's store: never logged (its topic is its changelog). */
  global = false,
): void {
  const given = materialized?.storeSupplier;
  if (given !== undefined && given.kind !== 'keyValue') wrongSupplier(storeName, 'key-value', given.kind);
  const supplier: KeyValueBytesStoreSupplier =
    (given as KeyValueBytesStoreSupplier | undefined) ??
    (materialized?.storeType === 'in-memory'
      ? Stores.inMemoryKeyValueStore(storeName)
      : Stores.persistentKeyValueStore(storeName));
  const plain = Stores.timestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  const b = materialized?.ttlMs === undefined ? plain : plain.withTtl(materialized.ttlMs);
  const settings = settingsOf(materialized);
  const configured = configure(b, global ? { ...settings, loggingEnabled: false } : settings);
  builder.addStore(configured as unknown as StoreBuilder<StateStore>);
}

/**
 * A source table materialized in a versioned store (`Materialized.as(Stores.persistentVersionedKeyValueStore(...))`):
 * adds the store and returns true; false when the table has no versioned supplier.
 */
export function addVersionedStoreIfGiven(
  builder: InternalStreamsBuilder,
  materialized: Materialized<unknown, unknown> | undefined,
  keySerde: Serde<unknown>,
  valueSerde: Serde<unknown>,
): boolean {
  const given = materialized?.storeSupplier;
  if (given?.kind !== 'versioned') return false;
  const settings = settingsOf(materialized);
  // As Kafka Streams: a versioned store is never cached, whatever Materialized says (caching is on by default); its
  // history is kept by history retention, so a TTL would contradict it.
  if (materialized?.ttlMs !== undefined) {
    throw new TopologyError(`versioned store "${given.name}" does not support a TTL (it keeps history retention)`, {
      context: { store: given.name },
    });
  }
  const b = Stores.versionedKeyValueStoreBuilder(given, keySerde, valueSerde);
  const logged = settings.loggingEnabled ? b.withLoggingEnabled({ ...settings.logConfig }) : b.withLoggingDisabled();
  builder.addStore(logged as unknown as StoreBuilder<StateStore>);
  return true;
}

/** Adds a plain key-value store (suppression buffers, the outer-join store). */
export function addKeyValueStore(
  builder: InternalStreamsBuilder,
  storeName: string,
  settings: StoreSettings,
  keySerde: Serde<unknown>,
  valueSerde: Serde<unknown>,
): void {
  const supplier =
    settings.storeType === 'in-memory'
      ? Stores.inMemoryKeyValueStore(storeName)
      : Stores.persistentKeyValueStore(storeName);
  const b = Stores.keyValueStoreBuilder(supplier, keySerde, valueSerde);
  builder.addStore(configure(b, settings) as unknown as StoreBuilder<StateStore>);
}

/** Adds a window store: timestamped for aggregations, plain with duplicates for join buffers. */
export function addWindowStore(
  builder: InternalStreamsBuilder,
  storeName: string,
  materialized: Materialized<unknown, unknown> | undefined,
  settings: StoreSettings,
  options: { readonly retentionMs: number; readonly windowSizeMs: number; readonly retainDuplicates: boolean },
  keySerde: Serde<unknown>,
  valueSerde: Serde<unknown>,
): void {
  refuseTtl(storeName, materialized, 'window');
  const given = materialized?.storeSupplier;
  let supplier: WindowBytesStoreSupplier;
  if (given !== undefined) {
    if (given.kind !== 'window') wrongSupplier(storeName, 'window', given.kind);
    if (given.windowSizeMs !== options.windowSizeMs) {
      throw new TopologyError(
        `window store supplier "${storeName}" has window size ${given.windowSizeMs}, but the windows have size ${options.windowSizeMs}`,
        { context: { store: storeName } },
      );
    }
    if (given.retentionMs < options.retentionMs) {
      throw new TopologyError(
        `window store supplier "${storeName}" retains ${given.retentionMs} ms, less than the windows need (${options.retentionMs} ms: size + grace)`,
        { context: { store: storeName } },
      );
    }
    supplier = given;
  } else {
    supplier =
      settings.storeType === 'in-memory'
        ? Stores.inMemoryWindowStore(storeName, options)
        : Stores.persistentWindowStore(storeName, options);
  }
  const b = options.retainDuplicates
    ? Stores.windowStoreBuilder(supplier, keySerde, valueSerde)
    : Stores.timestampedWindowStoreBuilder(supplier, keySerde, valueSerde);
  builder.addStore(configure(b, settings) as unknown as StoreBuilder<StateStore>);
}

/** Adds a session store. */
export function addSessionStore(
  builder: InternalStreamsBuilder,
  storeName: string,
  materialized: Materialized<unknown, unknown> | undefined,
  settings: StoreSettings,
  retentionMs: number,
  keySerde: Serde<unknown>,
  valueSerde: Serde<unknown>,
): void {
  refuseTtl(storeName, materialized, 'session');
  const given = materialized?.storeSupplier;
  let supplier: SessionBytesStoreSupplier;
  if (given !== undefined) {
    if (given.kind !== 'session') wrongSupplier(storeName, 'session', given.kind);
    if (given.retentionMs < retentionMs) {
      throw new TopologyError(
        `session store supplier "${storeName}" retains ${given.retentionMs} ms, less than the windows need (${retentionMs} ms: gap + grace + 1)`,
        { context: { store: storeName } },
      );
    }
    supplier = given;
  } else {
    supplier =
      materialized?.storeType === 'in-memory'
        ? Stores.inMemorySessionStore(storeName, { retentionMs })
        : Stores.persistentSessionStore(storeName, { retentionMs });
  }
  const b = Stores.sessionStoreBuilder(supplier, keySerde, valueSerde);
  builder.addStore(configure(b, settings) as unknown as StoreBuilder<StateStore>);
}
