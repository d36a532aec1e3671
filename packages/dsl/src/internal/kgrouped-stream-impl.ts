import { TopologyError } from '@kaskade/processor-api';
import type { Serde } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import type { Aggregator, Initializer, Reducer } from '../functions.js';
import type { CogroupedKStream } from '../cogrouped-kstream.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import type { SessionWindowedKStream } from '../session-windowed-kstream.js';
import { SessionWindows } from '../session-windows.js';
import { SlidingWindows } from '../sliding-windows.js';
import type { TimeWindowedKStream } from '../time-windowed-kstream.js';
import { TimeWindows } from '../time-windows.js';
import type { AggregateFunctions } from './aggregate-functions.js';
import { aggregating, counting, reducing } from './aggregate-functions.js';
import { keyValueAggregateStore } from './aggregate-store.js';
import { AggregationBuilder } from './aggregation-builder.js';
import { aggregationArgs, nameOrGenerate } from './args.js';
import { CogroupedKStreamImpl } from './cogrouped-kstream-impl.js';
import type { AggregationArgs } from './args.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KStreamAggregate } from './processors/kstream-aggregate.js';
import { SessionWindowedKStreamImpl } from './session-windowed-kstream-impl.js';
import { TimeWindowedKStreamImpl } from './time-windowed-kstream-impl.js';

/** What a grouped stream knows: the stream's props plus the grouping's name (it names the repartition topic). */
export interface GroupedStreamProps<K, V> {
  readonly builder: InternalStreamsBuilder;
  readonly name: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly repartitionRequired: boolean;
  readonly groupedName: string | undefined;
}

/**
 * The aggregation builder of a grouped stream (windowed or not). Names in Kafka Streams' order: store, processor,
 * then the repartition topic's nodes. The aggregation reads the stream itself, or — when its key was changed — a
 * repartition topic named after the grouping (`Grouped.as`) or else after the aggregation's store; aggregations of one
 * named grouping share its topic.
 *
 * @see org.apache.kafka.streams.kstream.internals.GroupedStreamAggregateBuilder
 */
function groupedStreamAggregationBuilder<K, V>(props: GroupedStreamProps<K, V>): AggregationBuilder<K, V> {
  const builder = props.builder;
  return new AggregationBuilder<K, V>({
    builder,
    keySerde: props.keySerde,
    connect: (named, prefix, storeName) => {
      const name = nameOrGenerate(builder, named, prefix);
      return { name, parent: groupedStreamParent(props, storeName) };
    },
  });
}

/**
 * The node a grouping's aggregation reads: the stream itself, or — when its key was changed — a repartition topic
 * named after the grouping (`Grouped.as`) or else `topicName` (the aggregation's store).
 */
export function groupedStreamParent<K, V>(props: GroupedStreamProps<K, V>, topicName: string): string {
  if (!props.repartitionRequired) return props.name;
  return props.builder.repartition({
    parentName: props.name,
    topicName: props.groupedName ?? topicName,
    keySerde: props.keySerde,
    valueSerde: props.valueSerde,
  });
}

/** @see org.apache.kafka.streams.kstream.internals.KGroupedStreamImpl */
export class KGroupedStreamImpl<K, V> implements KGroupedStream<K, V> {
  readonly #props: GroupedStreamProps<K, V>;
  readonly #aggregations: AggregationBuilder<K, V>;

  constructor(props: GroupedStreamProps<K, V>) {
    this.#props = Object.freeze({ ...props });
    this.#aggregations = groupedStreamAggregationBuilder(this.#props);
  }

  count(first?: Named | Materialized<K, number>, second?: Materialized<K, number>): KTable<K, number> {
    return this.#aggregate(aggregationArgs(first, second, 'count', 'KSTREAM-AGGREGATE-', Serdes.Int64()), counting());
  }

  reduce(reducer: Reducer<V>, first?: Named | Materialized<K, V>, second?: Materialized<K, V>): KTable<K, V> {
    if (typeof reducer !== 'function') throw new TopologyError('reduce() needs a reducer function');
    const args = aggregationArgs(first, second, 'reduce', 'KSTREAM-REDUCE-', this.#props.valueSerde);
    return this.#aggregate(args, reducing(reducer));
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    first?: Named | Materialized<K, VA>,
    second?: Materialized<K, VA>,
  ): KTable<K, VA> {
    if (typeof initializer !== 'function' || typeof aggregator !== 'function') {
      throw new TopologyError('aggregate() needs an initializer and an aggregator function');
    }
    const args = aggregationArgs(first, second, 'aggregate', 'KSTREAM-AGGREGATE-');
    return this.#aggregate(args, aggregating(initializer, aggregator));
  }

  cogroup<VOut>(aggregator: Aggregator<K, V, VOut>): CogroupedKStream<K, VOut> {
    return CogroupedKStreamImpl.of(this.#props, aggregator);
  }

  /** @internal What `CogroupedKStream.cogroup(other, …)` reads the other grouping with. */
  internalProps(): GroupedStreamProps<K, V> {
    return this.#props;
  }

  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows) {
      return new TimeWindowedKStreamImpl<K, V>(this.#props, this.#aggregations, windows, undefined);
    }
    if (windows instanceof SessionWindows) {
      return new SessionWindowedKStreamImpl<K, V>(this.#props, this.#aggregations, windows, undefined);
    }
    throw new TopologyError('windowedBy() needs TimeWindows, SlidingWindows or SessionWindows');
  }

  #aggregate<VA>(args: AggregationArgs<K, VA>, functions: AggregateFunctions<K, V, VA>): KTable<K, VA> {
    return this.#aggregations.build({
      ...args,
      store: keyValueAggregateStore(),
      processor: (storeName) => new KStreamAggregate(storeName, functions),
    });
  }
}
