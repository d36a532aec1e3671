import { TopologyError } from '@kaskade/processor-api';
import type { Serde, Windowed } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import { EmitStrategy } from '../emit-strategy.js';
import type { Aggregator, Initializer, Reducer } from '../functions.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import { SlidingWindows } from '../sliding-windows.js';
import type { TimeWindowedKStream } from '../time-windowed-kstream.js';
import type { TimeWindows } from '../time-windows.js';
import { namedAndMaterialized } from './args.js';
import { windowAggregateStore } from './aggregate-store.js';
import type { GroupedStreamProps } from './kgrouped-stream-impl.js';
import { groupedStreamAggregationBuilder } from './kgrouped-stream-impl.js';
import { KStreamSlidingWindowAggregate } from './processors/kstream-sliding-window-aggregate.js';
import { KStreamWindowAggregate } from './processors/kstream-window-aggregate.js';

/**
 * Time-windowed (tumbling, hopping) or sliding-windowed aggregations. `EmitStrategy.onWindowClose()` puts a final
 * results suppression behind the aggregation (named `<aggregation>-emit-final`, its buffer store
 * `<store>-emit-final`), so only one result per window is emitted, once the window closes.
 *
 * @see org.apache.kafka.streams.kstream.internals.TimeWindowedKStreamImpl
 * @see org.apache.kafka.streams.kstream.internals.SlidingWindowedKStreamImpl
 */
export class TimeWindowedKStreamImpl<K, V> implements TimeWindowedKStream<K, V> {
  readonly #props: GroupedStreamProps<K, V>;
  readonly #windows: TimeWindows | SlidingWindows;
  readonly #emitStrategy: EmitStrategy | undefined;

  constructor(
    props: GroupedStreamProps<K, V>,
    windows: TimeWindows | SlidingWindows,
    emitStrategy: EmitStrategy | undefined,
  ) {
    this.#props = props;
    this.#windows = windows;
    this.#emitStrategy = emitStrategy;
  }

  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    if (!(strategy instanceof EmitStrategy)) throw new TopologyError('emitStrategy() needs an EmitStrategy');
    return new TimeWindowedKStreamImpl(this.#props, this.#windows, strategy);
  }

  count(first?: Named | Materialized<K, number>, second?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const [named, materialized] = namedAndMaterialized(first, second, 'count');
    return this.#aggregate(
      named,
      materialized,
      'KSTREAM-AGGREGATE-',
      materialized?.valueSerde ?? Serdes.Int64(),
      () => 0,
      (_k, _v, n) => n + 1,
    );
  }

  reduce(reducer: Reducer<V>, first?: Named | Materialized<K, V>, second?: Materialized<K, V>): KTable<Windowed<K>, V> {
    if (typeof reducer !== 'function') throw new TopologyError('reduce() needs a reducer function');
    const [named, materialized] = namedAndMaterialized(first, second, 'reduce');
    // A window's first value is its aggregate: the initial aggregate is a marker the aggregator replaces.
    const table = this.#aggregate<V | null>(
      named,
      materialized as Materialized<K, V | null> | undefined,
      'KSTREAM-REDUCE-',
      (materialized?.valueSerde ?? this.#props.valueSerde) as Serde<V | null> | undefined,
      () => null,
      (_k, v, agg) => (agg === null ? v : reducer(agg, v)),
    );
    return table as KTable<Windowed<K>, V>;
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    first?: Named | Materialized<K, VA>,
    second?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    if (typeof initializer !== 'function' || typeof aggregator !== 'function') {
      throw new TopologyError('aggregate() needs an initializer and an aggregator function');
    }
    const [named, materialized] = namedAndMaterialized(first, second, 'aggregate');
    return this.#aggregate(
      named,
      materialized,
      'KSTREAM-AGGREGATE-',
      materialized?.valueSerde,
      initializer,
      aggregator,
    );
  }

  #aggregate<VA>(
    named: Named | undefined,
    materialized: Materialized<K, VA> | undefined,
    prefix: string,
    valueSerde: Serde<VA> | undefined,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
  ): KTable<Windowed<K>, VA> {
    const windows = this.#windows;
    return groupedStreamAggregationBuilder(this.#props).build({
      named,
      materialized,
      prefix,
      valueSerde,
      store: windowAggregateStore(windows),
      processor: (storeName) =>
        windows instanceof SlidingWindows
          ? new KStreamSlidingWindowAggregate<K, V, VA>(storeName, windows, initializer, aggregator)
          : new KStreamWindowAggregate<K, V, VA>(storeName, windows, initializer, aggregator),
      emitFinal: this.#emitStrategy?.type === 'on-window-close',
    });
  }
}
