import type { CogroupedKStream } from './cogrouped-kstream.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';
import type { SessionWindowedKStream } from './session-windowed-kstream.js';
import type { SessionWindows } from './session-windows.js';
import type { SlidingWindows } from './sliding-windows.js';
import type { TimeWindowedKStream } from './time-windowed-kstream.js';
import type { TimeWindows } from './time-windows.js';

/**
 * A stream grouped by key, ready for an aggregation. Each aggregation keeps one value per key in a store (named by
 * `Materialized.as`, else `KSTREAM-AGGREGATE-STATE-STORE-<n>`) and returns a table that emits an update per input
 * record, with the largest input timestamp of the key. Records with a null key or value are dropped and counted.
 *
 * ```ts
 * words.groupBy((_k, w) => w).count(Materialized.as('word-counts')).toStream().to('counts');
 * ```
 * @see org.apache.kafka.streams.kstream.KGroupedStream
 */
export interface KGroupedStream<K, V> {
  /** The number of records per key. */
  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<K, number>;
  /** Combines the values of a key; the first value is the initial aggregate. */
  reduce(reducer: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V>;
  /** Folds the values of a key into an aggregate of another type. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    named?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA>;
  /**
   * Starts a cogrouped aggregation: this stream's values folded by `aggregator`, other grouped streams added with
   * `CogroupedKStream.cogroup`, the aggregation made by its `aggregate(initializer)`.
   */
  cogroup<VOut>(aggregator: Aggregator<K, V, VOut>): CogroupedKStream<K, VOut>;
  /** Aggregates per key and time window (tumbling, hopping or sliding). */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  /** Aggregates per key and session. */
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
}
