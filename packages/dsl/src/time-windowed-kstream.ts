import type { Windowed } from '@kaskade/processor-api';
import type { EmitStrategy } from './emit-strategy.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';

/**
 * A grouped stream windowed by `TimeWindows` or `SlidingWindows`: aggregations keep one value per key and window in
 * a window store (retention = max(window size + grace, Materialized retention); for sliding windows 2 × time
 * difference + grace + 1 ms) and return a table keyed by `Windowed<K>`. Late records (window end + grace passed) are
 * dropped and counted as `late`.
 *
 * ```ts
 * grouped.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000)).count()
 *   .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
 * ```
 * @see org.apache.kafka.streams.kstream.TimeWindowedKStream
 */
export interface TimeWindowedKStream<K, V> {
  /** When results are emitted: every update (default) or once per window when it closes. */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V>;
  /** The number of records per key and window. */
  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  /** Combines the values of a key and window; the first value is the window's initial aggregate. */
  reduce(
    reducer: Reducer<V>,
    named?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTable<Windowed<K>, V>;
  /** Folds the values of a key and window into an aggregate, starting from `initializer()` per window. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    named?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA>;
}
