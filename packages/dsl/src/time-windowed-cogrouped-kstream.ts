import type { Windowed } from '@kaskade/processor-api';
import type { Initializer } from './functions.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';

/**
 * A cogrouped stream aggregated per key and time window (tumbling, hopping or sliding), as `TimeWindowedKStream`
 * does for one stream: each grouped stream's processor tracks its own stream time, so lateness is judged per stream.
 *
 * @see org.apache.kafka.streams.kstream.TimeWindowedCogroupedKStream
 */
export interface TimeWindowedCogroupedKStream<K, V> {
  /** The aggregate per key and window of all the grouped streams' records, each window starting from `initializer()`. */
  aggregate(
    initializer: Initializer<V>,
    named?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTable<Windowed<K>, V>;
}
