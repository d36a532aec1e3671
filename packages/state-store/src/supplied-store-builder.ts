import type { Serde, StateStore } from '@kaskade/processor-api';
import type { BuilderSettings } from './abstract-store-builder.js';
import { AbstractStoreBuilder, DEFAULT_BUILDER_SETTINGS } from './abstract-store-builder.js';

/** What every bytes-store supplier has; window and session suppliers add their retention. */
export interface SupplierBasics {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs?: number;
}

/**
 * A builder made of a bytes-store supplier and the key and value serdes: the part every concrete store builder
 * shares. Subclasses say which store they build.
 */
export abstract class SuppliedStoreBuilder<
  T extends StateStore,
  S extends SupplierBasics,
  K,
  V,
> extends AbstractStoreBuilder<T> {
  readonly persistent: boolean;
  readonly retentionMs: number | undefined;
  readonly supplier: S;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;

  constructor(
    supplier: S,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    settings: BuilderSettings = DEFAULT_BUILDER_SETTINGS,
  ) {
    super(supplier.name, settings);
    this.supplier = supplier;
    this.persistent = supplier.persistent;
    this.retentionMs = supplier.retentionMs;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }
}
