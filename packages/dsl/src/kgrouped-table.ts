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
  count(materialized?: Materialized<K, number>): KTable<K, number>;
  count(named: Named, materialized?: Materialized<K, number>): KTable<K, number>;
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, materialized?: Materialized<K, V>): KTable<K, V>;
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, named: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    named: Named,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA>;
}
