import { TopologyError } from '@kaskade/processor-api';
import type { Windowed } from '@kaskade/processor-api';
import type { EmitStrategy } from '../emit-strategy.js';
import type { Aggregator, Initializer } from '../functions.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import { SlidingWindows } from '../sliding-windows.js';
import type { TimeWindowedKStream } from '../time-windowed-kstream.js';
import type { TimeWindows } from '../time-windows.js';
import { AbstractWindowedKStream } from './abstract-windowed-kstream.js';
import type { WindowedAggregateFunctions } from './aggregate-functions.js';
import { windowAggregateStore } from './aggregate-store.js';
import { aggregationArgs } from './args.js';
import type { AggregationArgs } from './args.js';
import { KStreamSlidingWindowAggregate } from './processors/kstream-sliding-window-aggregate.js';
import { KStreamWindowAggregate } from './processors/kstream-window-aggregate.js';

/**
 * Time-windowed (tumbling, hopping) or sliding-windowed aggregations. With `EmitStrategy.onWindowClose()` the
 * aggregate processor emits each window's final result itself, once the window closes, as in Kafka Streams: no extra
 * processor or store.
 *
 * @see org.apache.kafka.streams.kstream.internals.TimeWindowedKStreamImpl
 * @see org.apache.kafka.streams.kstream.internals.SlidingWindowedKStreamImpl
 */
export class TimeWindowedKStreamImpl<K, V>
  extends AbstractWindowedKStream<K, V, TimeWindows | SlidingWindows, TimeWindowedKStream<K, V>>
  implements TimeWindowedKStream<K, V>
{
  protected withEmitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    return new TimeWindowedKStreamImpl(this.props, this.aggregations, this.windows, strategy);
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
    const args = aggregationArgs(first, second, 'aggregate', 'KSTREAM-AGGREGATE-');
    return this.aggregateWith(args, { initializer, aggregator });
  }

  /** Time and sliding windows need no merger. */
  protected aggregateWith<VA>(
    args: AggregationArgs<K, VA>,
    { initializer, aggregator }: Pick<WindowedAggregateFunctions<K, V, VA>, 'initializer' | 'aggregator'>,
  ): KTable<Windowed<K>, VA> {
    const windows = this.windows;
    const emitFinal = this.processorEmitsFinal;
    return this.build(args, windowAggregateStore(windows, emitFinal), (storeName) =>
      windows instanceof SlidingWindows
        ? new KStreamSlidingWindowAggregate<K, V, VA>(storeName, windows, initializer, aggregator, emitFinal)
        : new KStreamWindowAggregate<K, V, VA>(storeName, windows, initializer, aggregator, emitFinal),
    );
  }
}
