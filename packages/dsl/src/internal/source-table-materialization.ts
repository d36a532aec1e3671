import type { ProcessorContext, TimestampedKeyValueStore, VersionedKeyValueStore } from '@kaskade/processor-api';
import type { KTableValueGetterSupplier } from './ktable-value-getter.js';

/**
 * Whether a source table (`StreamsBuilder.table`, `KStream.toTable`) keeps a store. As in Kafka Streams, it does
 * only when it is queryable (`Materialized.as`) or something needs it: a join reading its values, or an operation
 * that needs old values (`groupBy`, left/outer table joins). Otherwise its store is declared but never connected,
 * and `describe()` lists `stores: []` as Kafka Streams does. Decided while the topology is built; read at build().
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableSource#materialize
 */
export class SourceTableMaterialization {
  readonly storeName: string;
  #materialized: boolean;

  constructor(storeName: string, queryable: boolean) {
    this.storeName = storeName;
    this.#materialized = queryable;
  }

  get materialized(): boolean {
    return this.#materialized;
  }

  /** The stores to connect to the table's processor (none while not materialized). */
  storeNames(): readonly string[] {
    return this.#materialized ? [this.storeName] : [];
  }

  /** @see org.apache.kafka.streams.kstream.internals.KTableSource#enableSendingOldValues */
  enableSendingOldValues(forceMaterialization: boolean): boolean {
    if (!this.#materialized) {
      if (!forceMaterialization) return false;
      this.#materialized = true;
    }
    return true;
  }

  /** A value getter over the table's store; asking for its store names materializes the table. */
  valueGetter<K, V>(): KTableValueGetterSupplier<K, V> {
    const storeName = this.storeName;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter below must reach this object
    const self = this;
    return {
      get storeNames(): readonly string[] {
        self.#materialized = true;
        return [storeName];
      },
      get() {
        let store: TimestampedKeyValueStore<K, V>;
        let versioned: VersionedKeyValueStore<K, V> | undefined;
        return {
          init: (context: ProcessorContext<unknown, unknown>) => {
            store = context.getStateStore<TimestampedKeyValueStore<K, V>>(storeName);
            const v = store as unknown as VersionedKeyValueStore<K, V>;
            versioned = typeof v.historyRetentionMs === 'number' ? v : undefined;
          },
          // A versioned store's records ({ value, timestamp, validTo? }) read as ValueAndTimestamp.
          get: (key: K) => store.get(key),
          isVersioned: () => versioned !== undefined,
          getAsOf: (key: K, timestamp: number) =>
            versioned === undefined ? store.get(key) : versioned.get(key, timestamp),
        };
      },
    };
  }
}

/**
 * Whether a table operation forwards old values: Kafka Streams' `enableSendingOldValues(forceMaterialization)`,
 * which downstream operations call on their parent table. Tables without one always can (aggregations, joins).
 */
export interface OldValuesSwitch {
  enableSendingOldValues(forceMaterialization: boolean): boolean;
}
