import type { Windowed } from '@kaskade/processor-api';
import type { Initializer, Merger } from './functions.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';

/**
 * A cogrouped stream aggregated per key and session, as `SessionWindowedKStream` does for one stream; `merger`
 * joins the aggregates of sessions that a record brings together.
 *
 * @see org.apache.kafka.streams.kstream.SessionWindowedCogroupedKStream
 */
export interface SessionWindowedCogroupedKStream<K, V> {
  /** The aggregate per key and session of all the grouped streams' records. */
  aggregate(
    initializer: Initializer<V>,
    merger: Merger<K, V>,
    named?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTable<Windowed<K>, V>;
}
