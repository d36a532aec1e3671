import type { Aggregator, Initializer, Reducer } from './functions.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';

/**
 * A table re-grouped by a new key (`KTable.groupBy`), ready for an aggregation. An update of the source table first
 * subtracts the old value (with the subtractor) from the aggregate of the old value's group, then adds the new value
 * to its group; a deleted key is only subtracted.
 *
 * ```ts
 * users.groupBy((_id, u) => ({ key: u.country, value: u })).count(); // users per country, kept current
 * ```
 * @see org.apache.kafka.streams.kstream.KGroupedTable
 */
export interface KGroupedTable<K, V> {
  /** The number of source-table keys per group. */
  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<K, number>;
  /** Combines a group's values with `adder`; `subtractor` removes a value that left the group or changed. */
  reduce(
    adder: Reducer<V>,
    subtractor: Reducer<V>,
    named?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTable<K, V>;
  /** Folds a group's values into an aggregate; `subtractor` removes a value that left the group or changed. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    named?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA>;
}
