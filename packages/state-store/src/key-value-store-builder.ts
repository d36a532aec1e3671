import { TopologyError } from '@kaskade/processor-api';
import type { KeyValueStore, TimestampedKeyValueStore, ValueAndTimestamp } from '@kaskade/processor-api';
import type { BuilderSettings } from './abstract-store-builder.js';
import { SuppliedStoreBuilder } from './supplied-store-builder.js';
import { TypedKeyValueStore } from './internal/typed-key-value-store.js';
import type { KeyValueBytesStoreSupplier } from './store-suppliers.js';
import { ValueAndTimestampSerde } from './value-and-timestamp-serde.js';

/**
 * Builds key-value stores: `Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), keySerde, valueSerde)`.
 *
 * @see org.apache.kafka.streams.state.internals.KeyValueStoreBuilder
 */
export class KeyValueStoreBuilder<K, V> extends SuppliedStoreBuilder<
  KeyValueStore<K, V>,
  KeyValueBytesStoreSupplier,
  K,
  V
> {
  readonly storeType = 'keyValue' as const;

  protected withSettings(settings: BuilderSettings): this {
    return new KeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, settings) as this;
  }

  build(): KeyValueStore<K, V> {
    return new TypedKeyValueStore({
      supplier: this.supplier,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      logging: this.loggingEnabled,
      caching: this.cachingEnabled,
    });
  }
}

/**
 * Builds key-value stores whose values carry the timestamp of the record that wrote them (stored as 8 bytes + value,
 * as Kafka Streams; the changelog gets the plain value with that timestamp as the record timestamp).
 *
 * @see org.apache.kafka.streams.state.internals.TimestampedKeyValueStoreBuilder
 */
export class TimestampedKeyValueStoreBuilder<K, V> extends SuppliedStoreBuilder<
  TimestampedKeyValueStore<K, V>,
  KeyValueBytesStoreSupplier,
  K,
  V
> {
  readonly storeType = 'keyValue' as const;

  protected withSettings(settings: BuilderSettings): this {
    return new TimestampedKeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, settings) as this;
  }

  build(): TimestampedKeyValueStore<K, V> {
    return new TypedKeyValueStore<K, ValueAndTimestamp<V>>({
      supplier: this.supplier,
      keySerde: this.keySerde,
      valueSerde: new ValueAndTimestampSerde(this.valueSerde),
      logging: this.loggingEnabled,
      caching: this.cachingEnabled,
      timestampOf: (value) => value.timestamp,
      ttlMs: this.ttlMs,
    });
  }

  /**
   * Expires a key once it has not been written for `ttlMs` of stream time: its stored timestamp (the timestamp of the
   * record that last wrote it) is at or before stream time - `ttlMs`. An expired key reads as absent at once and is
   * deleted by a sweep of bounded work (16 keys every 8th write), with a tombstone in the changelog, so replicas and restored stores drop it too.
   * Stream time, not the wall clock, so that the result depends only on the input: a replay, a restore and the
   * TopologyTestDriver expire the same keys. Downstream processors are not told (as with window retention).
   *
   * ```ts
   * Stores.timestampedKeyValueStoreBuilder(Stores.persistentKeyValueStore('sessions'), keySerde, valueSerde)
   *   .withTtl(30 * 60_000);
   * ```
   */
  withTtl(ttlMs: number): this {
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
      throw new TopologyError(`store "${this.name}": the TTL must be an integer > 0 (ms), got ${String(ttlMs)}`, {
        context: { store: this.name },
      });
    }
    return this.withTtlSetting(ttlMs);
  }
}
