import type {
  ProcessorContext,
  ReadOnlySessionStore,
  TimestampedKeyValueStore,
  ValueAndTimestamp,
  Windowed,
  WindowStore,
} from '@kaskade/processor-api';

/**
 * Reads a table's current value for a key, from the store that materializes it or through the operations between
 * that store and the table (filter, mapValues, join): what stream-table and table-table joins look up.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableValueGetter
 */
export interface KTableValueGetter<K, V> {
  init(context: ProcessorContext<unknown, unknown>): void;
  get(key: K): ValueAndTimestamp<V> | undefined;
  /**
   * The value as of a timestamp, when the table is a versioned store's (KIP-914: stream-table joins look up the
   * version valid at the stream record's timestamp); absent for tables that only know their latest values.
   */
  getAsOf?(key: K, timestamp: number): ValueAndTimestamp<V> | undefined;
  /** True (after init) when the table is a versioned store's. */
  isVersioned?(): boolean;
}

/** Makes getters, one per processor instance; `storeNames` must be connected to the processor that uses them. */
export interface KTableValueGetterSupplier<K, V> {
  readonly storeNames: readonly string[];
  get(): KTableValueGetter<K, V>;
}

/** Reads a timestamped key-value store. */
export function keyValueStoreGetter<K, V>(storeName: string): KTableValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName],
    get() {
      let store: TimestampedKeyValueStore<K, V>;
      return {
        init: (context) => {
          store = context.getStateStore<TimestampedKeyValueStore<K, V>>(storeName);
        },
        get: (key) => store.get(key),
      };
    },
  };
}

/** Reads a timestamped window store by windowed key. */
export function windowStoreGetter<K, V>(storeName: string): KTableValueGetterSupplier<Windowed<K>, V> {
  return {
    storeNames: [storeName],
    get() {
      let store: WindowStore<K, ValueAndTimestamp<V>>;
      return {
        init: (context) => {
          store = context.getStateStore<WindowStore<K, ValueAndTimestamp<V>>>(storeName);
        },
        get: (key) => store.fetch(key.key, key.window.start),
      };
    },
  };
}

/** Reads a session store by windowed key; the timestamp of a session's value is its end, as in Kafka Streams. */
export function sessionStoreGetter<K, V>(storeName: string): KTableValueGetterSupplier<Windowed<K>, V> {
  return {
    storeNames: [storeName],
    get() {
      let store: ReadOnlySessionStore<K, V>;
      return {
        init: (context) => {
          store = context.getStateStore(storeName) as unknown as ReadOnlySessionStore<K, V>;
        },
        get: (key) => {
          const value = store.fetchSession(key.key, key.window.start, key.window.end);
          return value === undefined ? undefined : { value, timestamp: key.window.end };
        },
      };
    },
  };
}
