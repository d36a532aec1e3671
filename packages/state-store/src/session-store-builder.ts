import type { SessionStore } from '@kaskade/processor-api';
import type { BuilderSettings } from './abstract-store-builder.js';
import { SuppliedStoreBuilder } from './supplied-store-builder.js';
import { TypedSessionStore } from './internal/typed-session-store.js';
import type { SessionBytesStoreSupplier } from './store-suppliers.js';

/**
 * Builds session stores: `Stores.sessionStoreBuilder(Stores.persistentSessionStore('s', {...}), keySerde, aggSerde)`.
 *
 * @see org.apache.kafka.streams.state.internals.SessionStoreBuilder
 */
export class SessionStoreBuilder<K, AGG> extends SuppliedStoreBuilder<
  SessionStore<K, AGG>,
  SessionBytesStoreSupplier,
  K,
  AGG
> {
  readonly storeType = 'session' as const;

  protected withSettings(settings: BuilderSettings): this {
    return new SessionStoreBuilder(this.supplier, this.keySerde, this.valueSerde, settings) as this;
  }

  build(): SessionStore<K, AGG> {
    return new TypedSessionStore({
      supplier: this.supplier,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      logging: this.loggingEnabled,
      caching: this.cachingEnabled,
    });
  }
}
