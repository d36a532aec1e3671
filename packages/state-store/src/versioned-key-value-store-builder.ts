import type { VersionedKeyValueStore } from '@kaskade/processor-api';
import type { BuilderSettings } from './abstract-store-builder.js';
import { SuppliedStoreBuilder } from './supplied-store-builder.js';
import { TypedVersionedKeyValueStore } from './internal/typed-versioned-key-value-store.js';
import type { VersionedBytesStoreSupplier } from './store-suppliers.js';

/**
 * Builds versioned key-value stores:
 * `Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore('prices', 60_000), keySerde, valueSerde)`.
 * Never cached (as Kafka Streams); logged to a changelog unless `withLoggingDisabled()`.
 *
 * @see org.apache.kafka.streams.state.internals.VersionedKeyValueStoreBuilder
 */
export class VersionedKeyValueStoreBuilder<K, V> extends SuppliedStoreBuilder<
  VersionedKeyValueStore<K, V>,
  VersionedBytesStoreSupplier,
  K,
  V
> {
  readonly storeType = 'versioned' as const;

  protected withSettings(settings: BuilderSettings): this {
    return new VersionedKeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, settings) as this;
  }

  build(): VersionedKeyValueStore<K, V> {
    return new TypedVersionedKeyValueStore({
      supplier: this.supplier,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      logging: this.loggingEnabled,
    });
  }
}
