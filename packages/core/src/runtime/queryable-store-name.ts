import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore } from '@kaskade/processor-api';

// A phantom property: never set at run time (a QueryableStoreName is a plain string), it only carries the view type.
declare const storeView: unique symbol;

/**
 * A store's name that also carries the read-only view its store is queried through, so that the view type of
 * `KafkaStreams.store()` follows the store it names instead of trusting the caller. Name a store once with its
 * types, give the name to `Materialized.as` (which checks the types against the operation that materializes it) and
 * to `streams.store` (which infers the view from it). A plain string is still accepted everywhere a name is.
 *
 * ```ts
 * const WORD_COUNTS = QueryableStoreName.keyValue<string, number>('word-counts');
 * words.groupBy((_k, w) => w).count(Materialized.as(WORD_COUNTS)); // a Materialized<string, number>
 * streams.store(WORD_COUNTS, QueryableStoreTypes.keyValueStore()).get('kafka'); // number | undefined
 * ```
 * @see org.apache.kafka.streams.StoreQueryParameters
 */
export type QueryableStoreName<S> = string & { readonly [storeView]?: S };

/** Factories of typed store names, one per kind of queryable store. */
export const QueryableStoreName = Object.freeze({
  /** A key-value store (a table's store, `count`/`reduce`/`aggregate` without windows). */
  keyValue<K, V>(name: string): QueryableStoreName<ReadOnlyKeyValueStore<K, V>> {
    return name;
  },
  /** A window store (a windowed aggregation over time or sliding windows); `K` is the key without its window. */
  window<K, V>(name: string): QueryableStoreName<ReadOnlyWindowStore<K, V>> {
    return name;
  },
  /** A session store (a session-windowed aggregation); `K` is the key without its session window. */
  session<K, V>(name: string): QueryableStoreName<ReadOnlySessionStore<K, V>> {
    return name;
  },
});
