import { TopologyError } from '@kaskade/processor-api';
import type { ProcessorSupplier, Windowed } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import { EmitStrategy } from '../emit-strategy.js';
import type { Reducer } from '../functions.js';
import type { KTable } from '../ktable.js';
import { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import type { WindowedAggregateFunctions } from './aggregate-functions.js';
import { windowedCounting, windowedReducing } from './aggregate-functions.js';
import type { AggregateStore } from './aggregate-store.js';
import type { Change } from './change.js';
import type { AggregationBuilder } from './aggregation-builder.js';
import { aggregationArgs } from './args.js';
import type { AggregationArgs } from './args.js';
import type { GroupedStreamProps } from './kgrouped-stream-impl.js';

/**
 * What time-, sliding- and session-windowed streams (handle type W, windows WS) share: `emitStrategy`, `count` and
 * `reduce` (as aggregates, see WindowedAggregateFunctions), and building an aggregation on the window kind's store
 * and processor. With `EmitStrategy.onWindowClose()` the time- and sliding-window processors emit final results
 * themselves; session windows still get a final results suppression behind them (see AggregationBuilder).
 * It imports the grouped stream's modules for types only: the subclasses extend it while those modules load.
 */
export abstract class AbstractWindowedKStream<K, V, WS, W> {
  protected readonly props: GroupedStreamProps<K, V>;
  protected readonly aggregations: AggregationBuilder<K, V>;
  protected readonly windows: WS;
  protected readonly emitStrategyOrDefault: EmitStrategy | undefined;

  constructor(
    props: GroupedStreamProps<K, V>,
    aggregations: AggregationBuilder<K, V>,
    windows: WS,
    emitStrategy: EmitStrategy | undefined,
  ) {
    this.props = props;
    this.aggregations = aggregations;
    this.windows = windows;
    this.emitStrategyOrDefault = emitStrategy;
  }

  emitStrategy(strategy: EmitStrategy): W {
    if (!(strategy instanceof EmitStrategy)) throw new TopologyError('emitStrategy() needs an EmitStrategy');
    return this.withEmitStrategy(strategy);
  }

  /** The same windowed stream with another emit strategy. */
  protected abstract withEmitStrategy(strategy: EmitStrategy): W;

  count(first?: Named | Materialized<K, number>, second?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const args = aggregationArgs(first, second, 'count', 'KSTREAM-AGGREGATE-', Serdes.Int64());
    return this.aggregateWith(args, windowedCounting());
  }

  reduce(reducer: Reducer<V>, first?: Named | Materialized<K, V>, second?: Materialized<K, V>): KTable<Windowed<K>, V> {
    if (typeof reducer !== 'function') throw new TopologyError('reduce() needs a reducer function');
    const args = aggregationArgs(first, second, 'reduce', 'KSTREAM-REDUCE-', this.props.valueSerde);
    // The aggregates are V once a window has a value; null only stands for "no value yet" inside the processor.
    const table = this.aggregateWith(args as AggregationArgs<K, V | null>, windowedReducing(reducer));
    return table as KTable<Windowed<K>, V>;
  }

  /** The window kind's aggregation: its store and processor, built by the grouping's AggregationBuilder. */
  protected abstract aggregateWith<VA>(
    args: AggregationArgs<K, VA>,
    functions: WindowedAggregateFunctions<K, V, VA>,
  ): KTable<Windowed<K>, VA>;

  /** `EmitStrategy.onWindowClose()` was chosen. */
  protected get emitOnWindowClose(): boolean {
    return this.emitStrategyOrDefault?.type === 'on-window-close';
  }

  /**
   * The time- or sliding-window processor emits final results itself: `onWindowClose()` on stream time. With
   * `onWindowClose({ wallClock: true })` a suppression behind it does, because windows must close without records.
   */
  protected get processorEmitsFinal(): boolean {
    return this.emitOnWindowClose && this.emitStrategyOrDefault?.wallClockCheckMs === undefined;
  }

  /** `suppressFinalResults`: the processor cannot emit final results itself (session windows, for now). */
  protected build<VA>(
    args: AggregationArgs<K, VA>,
    store: AggregateStore<K, Windowed<K>, VA>,
    processor: (storeName: string) => ProcessorSupplier<K, V, Windowed<K>, Change<VA>>,
    suppressFinalResults = false,
  ): KTable<Windowed<K>, VA> {
    const wallClockCheckMs = this.emitStrategyOrDefault?.wallClockCheckMs;
    // Closing windows on the wall clock needs the final results suppression's punctuation: it emits then, not the
    // processor (see processorEmitsFinal).
    const emitFinal = this.emitOnWindowClose && (suppressFinalResults || wallClockCheckMs !== undefined);
    // As Kafka Streams: no record cache in front of a store whose windows are emitted once, when they close (a cache
    // would only forward intermediate results on flush, which emit-on-window-close must not).
    const materialized = this.emitOnWindowClose
      ? (args.materialized ?? Materialized.with<K, VA>()).withCachingDisabled()
      : args.materialized;
    return this.aggregations.build({ ...args, materialized, store, processor, emitFinal, wallClockCheckMs });
  }
}
