import type { Windowed } from '@kaskade/processor-api';
import type { EmitStrategy } from './emit-strategy.js';
import type { Aggregator, Initializer, Merger, Reducer } from './functions.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';

/**
 * A grouped stream windowed by `SessionWindows`: aggregations keep one value per key and session in a session store
 * (retention = max(gap + grace + 1 ms, Materialized retention)) and return a table keyed by `Windowed<K>`. When a record
 * merges sessions, each merged-away session is deleted downstream (a tombstone) and the merged session emitted.
 *
 * ```ts
 * clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(30 * 60_000)).count();
 * ```
 * @see org.apache.kafka.streams.kstream.SessionWindowedKStream
 */
export interface SessionWindowedKStream<K, V> {
  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V>;
  /** The number of records per key and session. */
  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  /** Combines a session's values (and, on a merge, the sessions' aggregates) with `reducer`. */
  reduce(
    reducer: Reducer<V>,
    named?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTable<Windowed<K>, V>;
  /** Folds a session's values into an aggregate; `merger` combines the aggregates of sessions a record joins. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    named?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA>;
}
