import type { Serde, SessionStore } from '@kaskade/processor-api';
import type { BuilderSettings } from './abstract-store-builder.js';
import { AbstractStoreBuilder, DEFAULT_BUILDER_SETTINGS } from './abstract-store-builder.js';
import { TypedSessionStore } from './internal/typed-session-store.js';
import type { SessionBytesStoreSupplier } from './store-suppliers.js';

/**
 * Builds session stores: `Stores.sessionStoreBuilder(Stores.persistentSessionStore('s', {...}), keySerde, aggSerde)`.
 *
 * @see org.apache.kafka.streams.state.internals.SessionStoreBuilder
 */
export class SessionStoreBuilder<K, AGG> extends AbstractStoreBuilder<SessionStore<K, AGG>> {
  readonly storeType = 'session' as const;
  readonly retentionMs: number;
  readonly persistent: boolean;
  readonly supplier: SessionBytesStoreSupplier;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<AGG>;

  constructor(
    supplier: SessionBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<AGG>,
    settings = DEFAULT_BUILDER_SETTINGS,
  ) {
    super(supplier.name, settings);
    this.supplier = supplier;
    this.persistent = supplier.persistent;
    this.retentionMs = supplier.retentionMs;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }

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
