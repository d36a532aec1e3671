import { TopologyError } from '@kaskade/processor-api';
import type { Serde, Windowed } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import { EmitStrategy } from '../emit-strategy.js';
import type { Aggregator, Initializer, Merger, Reducer } from '../functions.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import type { SessionWindowedKStream } from '../session-windowed-kstream.js';
import type { SessionWindows } from '../session-windows.js';
import { namedAndMaterialized } from './args.js';
import { sessionAggregateStore } from './aggregate-store.js';
import type { GroupedStreamProps } from './kgrouped-stream-impl.js';
import { groupedStreamAggregationBuilder } from './kgrouped-stream-impl.js';
import { KStreamSessionWindowAggregate } from './processors/kstream-session-window-aggregate.js';

/**
 * Session-windowed aggregations: one aggregate per key and session, in a session store.
 *
 * @see org.apache.kafka.streams.kstream.internals.SessionWindowedKStreamImpl
 */
export class SessionWindowedKStreamImpl<K, V> implements SessionWindowedKStream<K, V> {
  readonly #props: GroupedStreamProps<K, V>;
  readonly #windows: SessionWindows;
  readonly #emitStrategy: EmitStrategy | undefined;

  constructor(props: GroupedStreamProps<K, V>, windows: SessionWindows, emitStrategy: EmitStrategy | undefined) {
    this.#props = props;
    this.#windows = windows;
    this.#emitStrategy = emitStrategy;
  }

  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    if (!(strategy instanceof EmitStrategy)) throw new TopologyError('emitStrategy() needs an EmitStrategy');
    return new SessionWindowedKStreamImpl(this.#props, this.#windows, strategy);
  }

  count(first?: Named | Materialized<K, number>, second?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const [named, materialized] = namedAndMaterialized(first, second, 'count');
    return this.#aggregate<number>(
      named,
      materialized,
      'KSTREAM-AGGREGATE-',
      materialized?.valueSerde ?? Serdes.Int64(),
      () => 0,
      (_k, _v, n) => n + 1,
      (_k, a, b) => a + b,
    );
  }

  reduce(reducer: Reducer<V>, first?: Named | Materialized<K, V>, second?: Materialized<K, V>): KTable<Windowed<K>, V> {
    if (typeof reducer !== 'function') throw new TopologyError('reduce() needs a reducer function');
    const [named, materialized] = namedAndMaterialized(first, second, 'reduce');
    // As Kafka Streams: no initial value; merging folds one session's aggregate into the other's.
    const add = (agg: V | null, v: V): V => (agg === null ? v : reducer(agg, v));
    const table = this.#aggregate<V | null>(
      named,
      materialized as Materialized<K, V | null> | undefined,
      'KSTREAM-REDUCE-',
      (materialized?.valueSerde ?? this.#props.valueSerde) as Serde<V | null> | undefined,
      () => null,
      (_k, v, agg) => add(agg, v),
      (_k, a, b) => (b === null ? a : add(a, b)),
    );
    return table as KTable<Windowed<K>, V>;
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    first?: Named | Materialized<K, VA>,
    second?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    if (typeof initializer !== 'function' || typeof aggregator !== 'function' || typeof merger !== 'function') {
      throw new TopologyError('aggregate() on session windows needs an initializer, an aggregator and a merger');
    }
    const [named, materialized] = namedAndMaterialized(first, second, 'aggregate');
    return this.#aggregate(
      named,
      materialized,
      'KSTREAM-AGGREGATE-',
      materialized?.valueSerde,
      initializer,
      aggregator,
      merger,
    );
  }

  #aggregate<VA>(
    named: Named | undefined,
    materialized: Materialized<K, VA> | undefined,
    prefix: string,
    valueSerde: Serde<VA> | undefined,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
  ): KTable<Windowed<K>, VA> {
    const windows = this.#windows;
    return groupedStreamAggregationBuilder(this.#props).build({
      named,
      materialized,
      prefix,
      valueSerde,
      store: sessionAggregateStore(windows),
      processor: (storeName) =>
        new KStreamSessionWindowAggregate<K, V, VA>(storeName, windows, initializer, aggregator, merger),
      emitFinal: this.#emitStrategy?.type === 'on-window-close',
    });
  }
}
