import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore, Serde } from '@kaskade/processor-api';
import type { QueryableStoreName } from '@kaskade/core';
import { TopologyError } from '@kaskade/processor-api';
import type {
  KeyValueBytesStoreSupplier,
  SessionBytesStoreSupplier,
  VersionedBytesStoreSupplier,
  WindowBytesStoreSupplier,
} from '@kaskade/state-store';
import { checkName } from './named.js';

/** A store supplier from `Stores` (`Stores.inMemoryKeyValueStore('name')`, ...) for `Materialized.as`. */
export type MaterializedStoreSupplier =
  KeyValueBytesStoreSupplier | WindowBytesStoreSupplier | SessionBytesStoreSupplier | VersionedBytesStoreSupplier;

/** Where a materialized store keeps its data: LMDB on disk (the default) or memory. */
export type MaterializedStoreType = 'persistent' | 'in-memory';

interface MaterializedProps<K, V> {
  readonly storeName?: string | undefined;
  readonly storeSupplier?: MaterializedStoreSupplier | undefined;
  readonly storeType?: MaterializedStoreType | undefined;
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
  readonly loggingEnabled: boolean;
  readonly logConfig: Readonly<{ [key: string]: string }>;
  readonly cachingEnabled: boolean;
  readonly retentionMs?: number | undefined;
  readonly ttlMs?: number | undefined;
}

const DEFAULTS: MaterializedProps<never, never> = Object.freeze({
  loggingEnabled: true,
  logConfig: Object.freeze({}),
  cachingEnabled: true,
});

// The settings are internal (stripped from the published declarations), so this phantom member is what keeps
// Materialized<K, V> from accepting another Materialized with unrelated type parameters. Never set at run time.
declare const parameterTypes: unique symbol;

/**
 * How the result of a stateful operation is stored: the store's name (which also names its changelog topic
 * `<applicationId>-<name>-changelog` and makes it queryable), its serdes, logging, caching, retention (window and
 * session stores) and whether it lives on disk or in memory.
 *
 * Caching is on by default, as in Kafka Streams: updates to a key are merged in the record cache (`cacheMaxBytes`)
 * and forwarded, with the key's previous value, when the cache is flushed (each commit) or evicts the key. Call
 * `withCachingDisabled()` for one output per update. The TopologyTestDriver commits after every record, so it shows
 * one output per input either way.
 *
 * ```ts
 * grouped.count(Materialized.as('counts-per-user'));
 * grouped.aggregate(init, add, Materialized.with(Serdes.String(), Serdes.Json<Totals>()).withLoggingDisabled());
 * ```
 * @see org.apache.kafka.streams.kstream.Materialized
 */
export class Materialized<K, V> {
  declare readonly [parameterTypes]?: [K, V];
  /** @internal */
  readonly storeName: string | undefined;
  /** @internal */
  readonly storeSupplier: MaterializedStoreSupplier | undefined;
  /** @internal */
  readonly storeType: MaterializedStoreType | undefined;
  /** @internal */
  readonly keySerde: Serde<K> | undefined;
  /** @internal */
  readonly valueSerde: Serde<V> | undefined;
  /** @internal */
  readonly loggingEnabled: boolean;
  /** @internal */
  readonly logConfig: Readonly<{ [key: string]: string }>;
  /** @internal */
  readonly cachingEnabled: boolean;
  /** @internal */
  readonly retentionMs: number | undefined;
  /** @internal */
  readonly ttlMs: number | undefined;

  private constructor(props: MaterializedProps<K, V>) {
    if (props.storeName !== undefined) checkName(props.storeName, 'Materialized store');
    if (props.retentionMs !== undefined && !(Number.isSafeInteger(props.retentionMs) && props.retentionMs >= 0)) {
      throw new TopologyError(`Materialized retention must be an integer >= 0 (ms), got ${props.retentionMs}`);
    }
    if (props.ttlMs !== undefined && !(Number.isSafeInteger(props.ttlMs) && props.ttlMs > 0)) {
      throw new TopologyError(`Materialized TTL must be an integer > 0 (ms), got ${String(props.ttlMs)}`);
    }
    this.storeName = props.storeName;
    this.storeSupplier = props.storeSupplier;
    this.storeType = props.storeType;
    this.keySerde = props.keySerde;
    this.valueSerde = props.valueSerde;
    this.loggingEnabled = props.loggingEnabled;
    this.logConfig = props.logConfig;
    this.cachingEnabled = props.cachingEnabled;
    this.retentionMs = props.retentionMs;
    this.ttlMs = props.ttlMs;
    Object.freeze(this);
  }

  /**
   * A store with this name, or the store a supplier from `Stores` describes (its name is the store's name). A
   * `QueryableStoreName` fixes `K` and `V`, so the operation that materializes the store checks them and
   * `KafkaStreams.store(name, ...)` infers the view from the same name.
   */
  static as<K, V>(storeName: QueryableStoreName<ReadOnlyKeyValueStore<K, V>>): Materialized<K, V>;
  static as<K, V>(storeName: QueryableStoreName<ReadOnlyWindowStore<K, V>>): Materialized<K, V>;
  static as<K, V>(storeName: QueryableStoreName<ReadOnlySessionStore<K, V>>): Materialized<K, V>;
  static as<K = unknown, V = unknown>(storeNameOrSupplier: string | MaterializedStoreSupplier): Materialized<K, V>;
  static as<K = unknown, V = unknown>(storeNameOrSupplier: string | MaterializedStoreSupplier): Materialized<K, V> {
    if (typeof storeNameOrSupplier === 'string')
      return new Materialized<K, V>({ ...DEFAULTS, storeName: storeNameOrSupplier });
    if (!storeNameOrSupplier || typeof storeNameOrSupplier.name !== 'string') {
      throw new TopologyError('Materialized.as needs a store name or a store supplier from Stores');
    }
    return new Materialized<K, V>({
      ...DEFAULTS,
      storeName: storeNameOrSupplier.name,
      storeSupplier: storeNameOrSupplier,
    });
  }

  /** A store with a generated name and these serdes (undefined: inherited from upstream, else the app default). */
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Materialized<K, V> {
    return new Materialized<K, V>({ ...DEFAULTS, keySerde, valueSerde });
  }

  withKeySerde<KN>(keySerde: Serde<KN>): Materialized<KN, V> {
    return new Materialized<KN, V>({ ...this.#props(), keySerde } as unknown as MaterializedProps<KN, V>);
  }

  withValueSerde<VN>(valueSerde: Serde<VN>): Materialized<K, VN> {
    return new Materialized<K, VN>({ ...this.#props(), valueSerde } as unknown as MaterializedProps<K, VN>);
  }

  /** Logs changes to the changelog topic (the default); `config` is merged over the changelog topic's defaults. */
  withLoggingEnabled(config: { [key: string]: string } = {}): Materialized<K, V> {
    return new Materialized<K, V>({ ...this.#props(), loggingEnabled: true, logConfig: Object.freeze({ ...config }) });
  }

  /** No changelog: the store is not restored after a failure or a task move (lost state is recomputed from nothing). */
  withLoggingDisabled(): Materialized<K, V> {
    return new Materialized<K, V>({ ...this.#props(), loggingEnabled: false, logConfig: Object.freeze({}) });
  }

  withCachingEnabled(): Materialized<K, V> {
    return new Materialized<K, V>({ ...this.#props(), cachingEnabled: true });
  }

  withCachingDisabled(): Materialized<K, V> {
    return new Materialized<K, V>({ ...this.#props(), cachingEnabled: false });
  }

  /** Retention of a window or session store; never less than window size + grace (the larger one wins). */
  withRetention(retentionMs: number): Materialized<K, V> {
    return new Materialized<K, V>({ ...this.#props(), retentionMs });
  }

  /**
   * Expires a key of a key-value store (a table or a non-windowed aggregation) once it has not been written for
   * `ttlMs` of stream time: it reads as absent (an aggregation starts the key afresh) and is deleted with a tombstone
   * in the changelog, so replicas and restored stores agree. Stream time, so a replay expires the same keys; window
   * and session stores refuse it (they expire by retention). See `TimestampedKeyValueStoreBuilder.withTtl`.
   *
   * ```ts
   * clicks.groupByKey().count(Materialized.as('recent-clicks').withTtl(24 * 3_600_000));
   * ```
   */
  withTtl(ttlMs: number): Materialized<K, V> {
    return new Materialized<K, V>({ ...this.#props(), ttlMs });
  }

  /** LMDB on disk (default) or memory; ignored when a store supplier was given. */
  withStoreType(storeType: MaterializedStoreType): Materialized<K, V> {
    return new Materialized<K, V>({ ...this.#props(), storeType });
  }

  #props(): MaterializedProps<K, V> {
    return {
      storeName: this.storeName,
      storeSupplier: this.storeSupplier,
      storeType: this.storeType,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      loggingEnabled: this.loggingEnabled,
      logConfig: this.logConfig,
      cachingEnabled: this.cachingEnabled,
      retentionMs: this.retentionMs,
      ttlMs: this.ttlMs,
    };
  }
}
