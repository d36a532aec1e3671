import { TopologyError } from '@kaskade/processor-api';
import type { Windowed } from '@kaskade/processor-api';
import type { EmitStrategy } from '../emit-strategy.js';
import type { Aggregator, Initializer, Merger } from '../functions.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import type { SessionWindowedKStream } from '../session-windowed-kstream.js';
import type { SessionWindows } from '../session-windows.js';
import { AbstractWindowedKStream } from './abstract-windowed-kstream.js';
import type { WindowedAggregateFunctions } from './aggregate-functions.js';
import { sessionAggregateStore } from './aggregate-store.js';
import { aggregationArgs } from './args.js';
import type { AggregationArgs } from './args.js';
import { KStreamSessionWindowAggregate } from './processors/kstream-session-window-aggregate.js';

/**
 * Session-windowed aggregations: one aggregate per key and session, in a session store. With
 * `EmitStrategy.onWindowClose()` the aggregate processor emits each session's final result itself, once the session
 * closes, as in Kafka Streams: no extra processor or store.
 *
 * @see org.apache.kafka.streams.kstream.internals.SessionWindowedKStreamImpl
 */
export class SessionWindowedKStreamImpl<K, V>
  extends AbstractWindowedKStream<K, V, SessionWindows, SessionWindowedKStream<K, V>>
  implements SessionWindowedKStream<K, V>
{
  protected withEmitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    return new SessionWindowedKStreamImpl(this.props, this.aggregations, this.windows, strategy);
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
    const args = aggregationArgs(first, second, 'aggregate', 'KSTREAM-AGGREGATE-');
    return this.aggregateWith(args, { initializer, aggregator, merger });
  }

  protected aggregateWith<VA>(
    args: AggregationArgs<K, VA>,
    functions: WindowedAggregateFunctions<K, V, VA>,
  ): KTable<Windowed<K>, VA> {
    const windows = this.windows;
    const { initializer, aggregator, merger } = functions;
    const emitFinal = this.processorEmitsFinal;
    return this.build(
      args,
      sessionAggregateStore(windows, emitFinal),
      (storeName) =>
        new KStreamSessionWindowAggregate<K, V, VA>(storeName, windows, initializer, aggregator, merger, emitFinal),
    );
  }
}
