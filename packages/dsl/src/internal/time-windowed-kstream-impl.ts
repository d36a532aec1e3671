import { TopologyError } from '@kaskade/processor-api';
import type { ProcessorSupplier, Serde, Windowed } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import { EmitStrategy } from '../emit-strategy.js';
import type { Aggregator, Initializer, Reducer } from '../functions.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import { SlidingWindows } from '../sliding-windows.js';
import type { TimeWindowedKStream } from '../time-windowed-kstream.js';
import type { TimeWindows } from '../time-windows.js';
import { TimeWindowedSerde } from '../windowed-serdes.js';
import { erased, namedAndMaterialized, nameOrGenerate } from './args.js';
import type { GroupedStreamProps } from './kgrouped-stream-impl.js';
import { aggregationParent } from './kgrouped-stream-impl.js';
import { windowStoreGetter } from './ktable-value-getter.js';
import { KTableImpl } from './ktable-impl.js';
import { KStreamSlidingWindowAggregate } from './processors/kstream-sliding-window-aggregate.js';
import { KStreamWindowAggregate } from './processors/kstream-window-aggregate.js';
import { addWindowStore, settingsOf } from './store-factory.js';

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
    const p = this.#props;
    const builder = p.builder;
    const windows = this.#windows;
    const storeName = materialized?.storeName ?? builder.newStoreName(prefix);
    const name = nameOrGenerate(builder, named, prefix);
    const keySerde = materialized?.keySerde ?? p.keySerde;
    const parent = aggregationParent(p, storeName);
    const sliding = windows instanceof SlidingWindows;
    const sizeMs = sliding ? windows.timeDifferenceMs : windows.sizeMs;
    // A time window [s, s + size) stays in the store exactly while it is open (end + grace > stream time). Sliding
    // windows look back two time differences (a record's left window is built from its predecessor's), both ends
    // inclusive: one more ms.
    const neededMs = sliding ? 2 * windows.timeDifferenceMs + windows.graceMs + 1 : windows.sizeMs + windows.graceMs;
    const retentionMs = Math.max(neededMs, materialized?.retentionMs ?? 0);
    const innerKeySerde = (keySerde ?? builder.defaultSerde('key')) as Serde<K>;
    addWindowStore(
      builder,
      storeName,
      erased(materialized),
      settingsOf(erased(materialized)),
      { retentionMs, windowSizeMs: sizeMs, retainDuplicates: false },
      innerKeySerde as Serde<unknown>,
      (valueSerde ?? builder.defaultSerde('value')) as Serde<unknown>,
    );
    const supplier: ProcessorSupplier<K, V, Windowed<K>, unknown> = sliding
      ? new KStreamSlidingWindowAggregate<K, V, VA>(storeName, windows, initializer, aggregator)
      : new KStreamWindowAggregate<K, V, VA>(storeName, windows, initializer, aggregator);
    builder.addProcessor(name, supplier, [parent], [storeName]);
    const table = new KTableImpl<Windowed<K>, VA>({
      builder,
      name,
      keySerde: new TimeWindowedSerde(innerKeySerde, sizeMs),
      valueSerde,
      valueGetter: windowStoreGetter(storeName),
      storeName,
      window: { graceMs: windows.graceMs, endInclusive: sliding },
    });
    if (this.#emitStrategy?.type !== 'on-window-close') return table;
    return table.suppressFinalResults(
      `${name}-emit-final`,
      `${storeName}-emit-final`,
      settingsOf(erased(materialized)),
    );
  }
}
