import { TopologyError } from '@kaskade/processor-api';
import type { ProcessorSupplier, Serde } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import type { Aggregator, Initializer, Reducer } from '../functions.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import type { SessionWindowedKStream } from '../session-windowed-kstream.js';
import { SessionWindows } from '../session-windows.js';
import { SlidingWindows } from '../sliding-windows.js';
import type { TimeWindowedKStream } from '../time-windowed-kstream.js';
import { TimeWindows } from '../time-windows.js';
import { erased, namedAndMaterialized, nameOrGenerate } from './args.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { keyValueStoreGetter } from './ktable-value-getter.js';
import { KTableImpl } from './ktable-impl.js';
import { KStreamAggregate } from './processors/kstream-aggregate.js';
import { KStreamReduce } from './processors/kstream-reduce.js';
import { SessionWindowedKStreamImpl } from './session-windowed-kstream-impl.js';
import { addTimestampedKeyValueStore } from './store-factory.js';
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
 * Reads the grouped stream for an aggregation: the stream itself, or — when its key was changed — a repartition topic
 * named after the grouping (`Grouped.as`) or else after the aggregation's store. Aggregations of one named grouping
 * share its topic.
 *
 * @see org.apache.kafka.streams.kstream.internals.GroupedStreamAggregateBuilder
 */
export function aggregationParent<K, V>(props: GroupedStreamProps<K, V>, storeName: string): string {
  if (!props.repartitionRequired) return props.name;
  return props.builder.repartition({
    parentName: props.name,
    topicName: props.groupedName ?? storeName,
    keySerde: props.keySerde,
    valueSerde: props.valueSerde,
  });
}

/** @see org.apache.kafka.streams.kstream.internals.KGroupedStreamImpl */
export class KGroupedStreamImpl<K, V> implements KGroupedStream<K, V> {
  readonly #props: GroupedStreamProps<K, V>;

  constructor(props: GroupedStreamProps<K, V>) {
    this.#props = Object.freeze({ ...props });
  }

  count(first?: Named | Materialized<K, number>, second?: Materialized<K, number>): KTable<K, number> {
    const [named, materialized] = namedAndMaterialized(first, second, 'count');
    return this.#aggregate(
      named,
      materialized,
      'KSTREAM-AGGREGATE-',
      materialized?.valueSerde ?? Serdes.Int64(),
      (store) =>
        new KStreamAggregate<K, V, number>(
          store,
          () => 0,
          (_k, _v, n) => n + 1,
        ),
    );
  }

  reduce(reducer: Reducer<V>, first?: Named | Materialized<K, V>, second?: Materialized<K, V>): KTable<K, V> {
    if (typeof reducer !== 'function') throw new TopologyError('reduce() needs a reducer function');
    const [named, materialized] = namedAndMaterialized(first, second, 'reduce');
    return this.#aggregate(
      named,
      materialized,
      'KSTREAM-REDUCE-',
      materialized?.valueSerde ?? this.#props.valueSerde,
      (store) => new KStreamReduce<K, V>(store, reducer),
    );
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
    const [named, materialized] = namedAndMaterialized(first, second, 'aggregate');
    return this.#aggregate(
      named,
      materialized,
      'KSTREAM-AGGREGATE-',
      materialized?.valueSerde,
      (store) => new KStreamAggregate<K, V, VA>(store, initializer, aggregator),
    );
  }

  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows) {
      return new TimeWindowedKStreamImpl<K, V>(this.#props, windows, undefined);
    }
    if (windows instanceof SessionWindows) return new SessionWindowedKStreamImpl<K, V>(this.#props, windows, undefined);
    throw new TopologyError('windowedBy() needs TimeWindows, SlidingWindows or SessionWindows');
  }

  #aggregate<VA>(
    named: Named | undefined,
    materialized: Materialized<K, VA> | undefined,
    prefix: string,
    valueSerde: Serde<VA> | undefined,
    supplier: (storeName: string) => ProcessorSupplier<K, V, K, unknown>,
  ): KTable<K, VA> {
    const p = this.#props;
    const builder = p.builder;
    // Names in Kafka Streams' order: store, processor, then the repartition topic's nodes.
    const storeName = materialized?.storeName ?? builder.newStoreName(prefix);
    const name = nameOrGenerate(builder, named, prefix);
    const keySerde = materialized?.keySerde ?? p.keySerde;
    const parent = aggregationParent(p, storeName);
    addTimestampedKeyValueStore(
      builder,
      storeName,
      erased(materialized),
      keySerde ?? builder.defaultSerde('key'),
      valueSerde ?? builder.defaultSerde('value'),
    );
    builder.addProcessor(name, supplier(storeName), [parent], [storeName]);
    return new KTableImpl<K, VA>({
      builder,
      name,
      keySerde,
      valueSerde,
      valueGetter: keyValueStoreGetter(storeName),
      storeName,
      window: undefined,
    });
  }
}
