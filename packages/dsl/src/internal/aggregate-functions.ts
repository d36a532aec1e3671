import type { Aggregator, Initializer, Merger, Reducer } from '../functions.js';

/**
 * The functions of one keyed aggregation, in the one shape the aggregate processors run. As RxJS's `scan` and
 * `reduce` share one helper with or without a seed, `aggregate` and `count` start a key from the initializer and
 * `reduce` starts it from the key's first value; after that every value goes through `add`.
 */
export interface AggregateFunctions<K, V, VA> {
  /** The aggregate of a key's first value. */
  readonly first: (key: K, value: V) => VA;
  /** Adds a later value to the key's aggregate. */
  readonly add: Aggregator<K, V, VA>;
}

/**
 * A table aggregation also takes a key's replaced value out of its aggregate. An aggregate that becomes null deletes
 * the key, and the deletion is forwarded, as in Kafka Streams' KTableAggregate and KTableReduce.
 */
export interface TableAggregateFunctions<K, V, VA> extends AggregateFunctions<K, V, VA> {
  readonly subtract: Aggregator<K, V, VA>;
}

/** `aggregate(initializer, aggregator)`: a key starts from the initializer. */
export function aggregating<K, V, VA>(
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
): AggregateFunctions<K, V, VA> {
  return { first: (key, value) => aggregator(key, value, initializer()), add: aggregator };
}

/** `reduce(reducer)`: a key's first value is its aggregate. */
export function reducing<K, V>(reducer: Reducer<V>): AggregateFunctions<K, V, V> {
  return { first: (_key, value) => value, add: (_key, value, aggregate) => reducer(aggregate, value) };
}

/** `count()`: the number of values of a key. */
export function counting<K, V>(): AggregateFunctions<K, V, number> {
  return aggregating<K, V, number>(
    () => 0,
    (_k, _v, n) => n + 1,
  );
}

/** `KGroupedTable.aggregate(initializer, adder, subtractor)`. */
export function tableAggregating<K, V, VA>(
  initializer: Initializer<VA>,
  adder: Aggregator<K, V, VA>,
  subtractor: Aggregator<K, V, VA>,
): TableAggregateFunctions<K, V, VA> {
  return { ...aggregating(initializer, adder), subtract: subtractor };
}

/** `KGroupedTable.reduce(adder, subtractor)`. */
export function tableReducing<K, V>(adder: Reducer<V>, subtractor: Reducer<V>): TableAggregateFunctions<K, V, V> {
  return {
    ...reducing<K, V>(adder),
    subtract: (_key, value, aggregate) => subtractor(aggregate, value),
  };
}

/** `KGroupedTable.count()`: adds one per new value, subtracts one per replaced value. */
export function tableCounting<K, V>(): TableAggregateFunctions<K, V, number> {
  return tableAggregating<K, V, number>(
    () => 0,
    (_k, _v, n) => n + 1,
    (_k, _v, n) => n - 1,
  );
}

/**
 * The functions of a windowed aggregation. Windows start from the initializer's aggregate (a sliding window may start
 * empty, a session from the sessions it merges), so reduce is expressed as an aggregate whose initial value is null,
 * a marker the first value replaces, as in Kafka Streams. `merger` joins two sessions' aggregates (session windows).
 */
export interface WindowedAggregateFunctions<K, V, VA> {
  readonly initializer: Initializer<VA>;
  readonly aggregator: Aggregator<K, V, VA>;
  readonly merger: Merger<K, VA>;
}

/** Windowed `count()`: merging sessions adds their counts. */
export function windowedCounting<K, V>(): WindowedAggregateFunctions<K, V, number> {
  return { initializer: () => 0, aggregator: (_k, _v, n) => n + 1, merger: (_k, a, b) => a + b };
}

/** Windowed `reduce(reducer)`: null until a window's first value; merging folds one session's aggregate into another. */
export function windowedReducing<K, V>(reducer: Reducer<V>): WindowedAggregateFunctions<K, V, V | null> {
  const add = (aggregate: V | null, value: V): V => (aggregate === null ? value : reducer(aggregate, value));
  return {
    initializer: () => null,
    aggregator: (_k, value, aggregate) => add(aggregate, value),
    merger: (_k, a, b) => (b === null ? a : add(a, b)),
  };
}
