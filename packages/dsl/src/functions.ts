// The function types the DSL's operators take. Kafka Streams has one interface per shape (Predicate, ValueMapper,
// ValueMapperWithKey, ...); in TypeScript a function may ignore trailing parameters, so one type per shape is enough:
// value-first callbacks get the key as an extra, optional-to-use last parameter (as Array.map gives the index).

/**
 * Tests a record: `true` keeps it (filter) or chooses it (branch).
 *
 * @see org.apache.kafka.streams.kstream.Predicate
 */
export type Predicate<K, V> = (key: K, value: V) => boolean;

/**
 * Computes something from a key and a value: a new key (`selectKey`, `groupBy`), a new pair (`map`), a topic, ...
 *
 * @see org.apache.kafka.streams.kstream.KeyValueMapper
 */
export type KeyValueMapper<K, V, R> = (key: K, value: V) => R;

/**
 * Computes a new value from a value; the key is passed too and must not be changed (it is read-only).
 *
 * @see org.apache.kafka.streams.kstream.ValueMapper
 * @see org.apache.kafka.streams.kstream.ValueMapperWithKey
 */
export type ValueMapper<V, VR, K = unknown> = (value: V, key: K) => VR;

/**
 * Joins two values with the same key into one. In left and outer joins a missing side is `null`.
 *
 * @see org.apache.kafka.streams.kstream.ValueJoiner
 * @see org.apache.kafka.streams.kstream.ValueJoinerWithKey
 */
export type ValueJoiner<V1, V2, VR, K = unknown> = (value1: V1, value2: V2, key: K) => VR;

/**
 * Combines the current aggregate with a new value of the same type (`reduce`), or removes a value from it (the
 * subtractor of `KGroupedTable.reduce`).
 *
 * @see org.apache.kafka.streams.kstream.Reducer
 */
export type Reducer<V> = (aggregate: V, value: V) => V;

/**
 * The initial aggregate of a new key or window.
 *
 * @see org.apache.kafka.streams.kstream.Initializer
 */
export type Initializer<VA> = () => VA;

/**
 * Adds a value to an aggregate (or, as the subtractor of a table aggregation, removes it), returning the new aggregate.
 *
 * @see org.apache.kafka.streams.kstream.Aggregator
 */
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;

/**
 * Merges the aggregates of two sessions that a record joined together.
 *
 * @see org.apache.kafka.streams.kstream.Merger
 */
export type Merger<K, VA> = (key: K, aggregate1: VA, aggregate2: VA) => VA;

/**
 * A side effect per record (`foreach`, `peek`).
 *
 * @see org.apache.kafka.streams.kstream.ForeachAction
 */
export type ForeachAction<K, V> = (key: K, value: V) => void;
