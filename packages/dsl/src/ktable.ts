import type { KeyValue } from '@kaskade/processor-api';
import type { KeyValueMapper, Predicate, ValueJoiner, ValueMapper } from './functions.js';
import type { Grouped } from './grouped.js';
import type { KGroupedTable } from './kgrouped-table.js';
import type { KStream } from './kstream.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';
import type { Suppressed } from './suppressed.js';

/**
 * A changelog stream seen as a table: the latest value per key, where a null value deletes the key. Every update is
 * forwarded downstream as a change (new value, old value), so that table aggregations can subtract what was there
 * before, and joins can update their result when either side changes.
 *
 * ```ts
 * const users = builder.table('users', Consumed.with(Serdes.String(), Serdes.Json<User>()));
 * users.filter((_id, u) => u.active).toStream().to('active-users');
 * ```
 * @see org.apache.kafka.streams.kstream.KTable
 */
export interface KTable<K, V> {
  /** The table of the keys whose value passes; an update that makes a key fail deletes it downstream. */
  filter(
    predicate: Predicate<K, V>,
    named?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTable<K, V>;
  /** The table of the keys whose value does not pass. */
  filterNot(
    predicate: Predicate<K, V>,
    named?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTable<K, V>;
  /** A table of mapped values, same keys. */
  mapValues<VR>(
    mapper: ValueMapper<V, VR, K>,
    named?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** The table's updates as a stream of new values (a deletion is a record with a null value). */
  toStream(named?: Named): KStream<K, V | null>;
  /** The table's updates as a stream with new keys. */
  toStream<KR>(mapper: KeyValueMapper<K, V | null, KR>, named?: Named): KStream<KR, V | null>;
  /** Re-groups the table by a new key (and value) for an aggregation; always reads a repartition topic. */
  groupBy<KR, VR>(selector: KeyValueMapper<K, V, KeyValue<KR, VR>>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR>;
  /** Inner join: a key has a result while both tables have a value; updated when either side changes. */
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO, VR, K>,
    named?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /**
   * Foreign-key join (KIP-213): each row joins the row of `other` whose key `foreignKeyExtractor` extracts from its
   * value; the result, keyed like this table, is updated when either side changes (a null foreign key joins nothing).
   */
  join<VR, KO, VO>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: (value: V, otherValue: VO) => VR,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** Left join: a key has a result while this table has a value (other side null when absent). */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    named?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** Left foreign-key join: as the foreign-key `join`, with `otherValue` null while `other` has no matching row. */
  leftJoin<VR, KO, VO>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: (value: V, otherValue: VO | null) => VR,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /** Outer join: a key has a result while either table has a value. */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    named?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /**
   * Holds updates back: `Suppressed.untilWindowCloses` (windowed aggregation results only) emits one final result
   * per window; `Suppressed.untilTimeLimit` emits a key's latest value after a delay.
   */
  suppress(suppressed: Suppressed): KTable<K, V>;
  /** The name of the store that materializes this table, if it is materialized (queryable). */
  queryableStoreName(): string | undefined;
}
