import type { ValueAndTimestamp, WindowStore } from '@kaskade/processor-api';
import type { BuilderSettings } from './abstract-store-builder.js';
import { SuppliedStoreBuilder } from './supplied-store-builder.js';
import { TypedWindowStore } from './internal/typed-window-store.js';
import type { WindowBytesStoreSupplier } from './store-suppliers.js';
import { ValueAndTimestampSerde } from './value-and-timestamp-serde.js';

/** A window store whose values carry the timestamp of the record that wrote them. */
export type TimestampedWindowStore<K, V> = WindowStore<K, ValueAndTimestamp<V>>;

/**
 * Builds window stores: `Stores.windowStoreBuilder(Stores.persistentWindowStore('w', {...}), keySerde, valueSerde)`.
 * Caching is ignored for stores that retain duplicates (every put is a new entry), as in Kafka Streams.
 *
 * @see org.apache.kafka.streams.state.internals.WindowStoreBuilder
 */
export class WindowStoreBuilder<K, V> extends SuppliedStoreBuilder<WindowStore<K, V>, WindowBytesStoreSupplier, K, V> {
  readonly storeType = 'window' as const;

  protected withSettings(settings: BuilderSettings): this {
    return new WindowStoreBuilder(this.supplier, this.keySerde, this.valueSerde, settings) as this;
  }

  build(): WindowStore<K, V> {
    return new TypedWindowStore({
      supplier: this.supplier,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      logging: this.loggingEnabled,
      caching: this.cachingEnabled,
    });
  }
}

/**
 * Builds window stores of `ValueAndTimestamp` values.
 *
 * @see org.apache.kafka.streams.state.internals.TimestampedWindowStoreBuilder
 */
export class TimestampedWindowStoreBuilder<K, V> extends SuppliedStoreBuilder<
  TimestampedWindowStore<K, V>,
  WindowBytesStoreSupplier,
  K,
  V
> {
  readonly storeType = 'window' as const;

  protected withSettings(settings: BuilderSettings): this {
    return new TimestampedWindowStoreBuilder(this.supplier, this.keySerde, this.valueSerde, settings) as this;
  }

  build(): TimestampedWindowStore<K, V> {
    return new TypedWindowStore<K, ValueAndTimestamp<V>>({
      supplier: this.supplier,
      keySerde: this.keySerde,
      valueSerde: new ValueAndTimestampSerde(this.valueSerde),
      logging: this.loggingEnabled,
      caching: this.cachingEnabled,
      timestampOf: (value) => value.timestamp,
    });
  }
}
