import type { Aggregator, Initializer } from './functions.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';
import type { SessionWindowedCogroupedKStream } from './session-windowed-cogrouped-kstream.js';
import type { SessionWindows } from './session-windows.js';
import type { SlidingWindows } from './sliding-windows.js';
import type { TimeWindowedCogroupedKStream } from './time-windowed-cogrouped-kstream.js';
import type { TimeWindows } from './time-windows.js';

/**
 * Several grouped streams (of one key type, with values of any types) folded into one aggregate per key, each stream
 * with its own aggregator. Made by `KGroupedStream.cogroup(aggregator)`, extended by `cogroup(other, aggregator)`,
 * finished by `aggregate(initializer)`: one store and one result table, instead of one aggregation per stream and a
 * chain of table joins.
 *
 * ```ts
 * const totals = clicks
 *   .cogroup<Stats>((_k, click, s) => ({ ...s, clicks: s.clicks + 1 }))
 *   .cogroup(orders, (_k, order, s) => ({ ...s, spent: s.spent + order.amount }))
 *   .aggregate(() => ({ clicks: 0, spent: 0 }), Materialized.as('stats'));
 * ```
 * Each grouped stream's aggregator runs on its own records (a re-keyed one reads its repartition topic, named after
 * the grouping or else the store); updates of all of them come out of one table. Names follow Kafka Streams:
 * `COGROUPKSTREAM-AGGREGATE-<n>` per stream and `COGROUPKSTREAM-MERGE-<n>` for the table, or with `Named.as(name)`
 * `<name>-cogroup-agg-<i>` and `<name>-cogroup-merge`; the store `COGROUPKSTREAM-AGGREGATE-STATE-STORE-<n>`.
 *
 * @see org.apache.kafka.streams.kstream.CogroupedKStream
 */
export interface CogroupedKStream<K, VOut> {
  /** Adds a grouped stream, folded into the same aggregates by its own aggregator. */
  cogroup<VIn>(groupedStream: KGroupedStream<K, VIn>, aggregator: Aggregator<K, VIn, VOut>): CogroupedKStream<K, VOut>;
  /** The aggregate per key of all the grouped streams' records, each key starting from `initializer()`. */
  aggregate(
    initializer: Initializer<VOut>,
    named?: Named | Materialized<K, VOut>,
    materialized?: Materialized<K, VOut>,
  ): KTable<K, VOut>;
  /** Aggregates per key and time window (tumbling, hopping or sliding). */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedCogroupedKStream<K, VOut>;
  /** Aggregates per key and session. */
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedKStream<K, VOut>;
}
