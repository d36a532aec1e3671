import type { GlobalKTable } from '../global-ktable.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { keyValueStoreGetter } from './ktable-value-getter.js';
import type { KTableValueGetterSupplier } from './ktable-value-getter.js';

/** A global table's handle: its builder and the getter over its (global, timestamped key-value) store. */
export class GlobalKTableImpl<K, V> implements GlobalKTable<K, V> {
  readonly builder: InternalStreamsBuilder;
  readonly storeName: string;
  readonly #queryable: boolean;

  constructor(builder: InternalStreamsBuilder, storeName: string, queryable: boolean) {
    this.builder = builder;
    this.storeName = storeName;
    this.#queryable = queryable;
  }

  queryableStoreName(): string | undefined {
    return this.#queryable ? this.storeName : undefined;
  }

  /** Reads the global store; its name is not connected to the reader (global stores need no connection). */
  valueGetter(): KTableValueGetterSupplier<K, V> {
    return keyValueStoreGetter<K, V>(this.storeName);
  }
}
