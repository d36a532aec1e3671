import { TopologyError } from '@kaskade/processor-api';
import type { ProcessorSupplier, Serde } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import type { Aggregator, Initializer, Reducer } from '../functions.js';
import type { KGroupedTable } from '../kgrouped-table.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import { erased, namedAndMaterialized } from './args.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { keyValueStoreGetter } from './ktable-value-getter.js';
import { KTableImpl } from './ktable-impl.js';
import { KTableAggregate } from './processors/ktable-aggregate.js';
import { KTableReduce } from './processors/ktable-reduce.js';
import { ChangeSerde } from './serde/change-serde.js';
import { addTimestampedKeyValueStore } from './store-factory.js';

export interface GroupedTableProps<K, V> {
  readonly builder: InternalStreamsBuilder;
  /** The KTABLE-SELECT node that re-keys the table's changes. */
  readonly name: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly groupedName: string | undefined;
}

/**
 * A re-grouped table. Every aggregation reads the re-keyed changes through a repartition topic
 * (`<Grouped name or store name>-repartition`) carrying both the new and the old value, then subtracts and adds.
 *
 * @see org.apache.kafka.streams.kstream.internals.KGroupedTableImpl
 */
export class KGroupedTableImpl<K, V> implements KGroupedTable<K, V> {
  readonly #props: GroupedTableProps<K, V>;

  constructor(props: GroupedTableProps<K, V>) {
    this.#props = Object.freeze({ ...props });
  }

  count(first?: Named | Materialized<K, number>, second?: Materialized<K, number>): KTable<K, number> {
    const [named, materialized] = namedAndMaterialized(first, second, 'count');
    return this.#aggregate(
      named,
      materialized,
      'KTABLE-AGGREGATE-',
      materialized?.valueSerde ?? Serdes.Int64(),
      (store) =>
        new KTableAggregate<K, V, number>(
          store,
          () => 0,
          (_k, _v, n) => n + 1,
          (_k, _v, n) => n - 1,
        ),
    );
  }

  reduce(
    adder: Reducer<V>,
    subtractor: Reducer<V>,
    first?: Named | Materialized<K, V>,
    second?: Materialized<K, V>,
  ): KTable<K, V> {
    if (typeof adder !== 'function' || typeof subtractor !== 'function') {
      throw new TopologyError('KGroupedTable.reduce() needs an adder and a subtractor function');
    }
    const [named, materialized] = namedAndMaterialized(first, second, 'reduce');
    return this.#aggregate(
      named,
      materialized,
      'KTABLE-REDUCE-',
      materialized?.valueSerde ?? this.#props.valueSerde,
      (store) => new KTableReduce<K, V>(store, adder, subtractor),
    );
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    first?: Named | Materialized<K, VA>,
    second?: Materialized<K, VA>,
  ): KTable<K, VA> {
    if (typeof initializer !== 'function' || typeof adder !== 'function' || typeof subtractor !== 'function') {
      throw new TopologyError('KGroupedTable.aggregate() needs an initializer, an adder and a subtractor function');
    }
    const [named, materialized] = namedAndMaterialized(first, second, 'aggregate');
    return this.#aggregate(
      named,
      materialized,
      'KTABLE-AGGREGATE-',
      materialized?.valueSerde,
      (store) => new KTableAggregate<K, V, VA>(store, initializer, adder, subtractor),
    );
  }

  #aggregate<VA>(
    named: Named | undefined,
    materialized: Materialized<K, VA> | undefined,
    prefix: string,
    valueSerde: Serde<VA> | undefined,
    supplier: (storeName: string) => ProcessorSupplier<K, never, K, unknown>,
  ): KTable<K, VA> {
    const p = this.#props;
    const builder = p.builder;
    // Names in Kafka Streams' order: store, sink, source, processor; a given name still takes the counter values
    // (KGroupedTableImpl.doAggregate). The store is named after KTABLE-AGGREGATE- for reduce too.
    const storeName = materialized?.storeName ?? builder.newStoreName('KTABLE-AGGREGATE-');
    const generatedSink = builder.newProcessorName('KSTREAM-SINK-');
    const generatedSource = builder.newProcessorName('KSTREAM-SOURCE-');
    const generatedName = builder.newProcessorName(prefix);
    const sinkName = named ? `${named.name}-sink` : generatedSink;
    const sourceName = named ? `${named.name}-source` : generatedSource;
    const name = named?.name ?? generatedName;
    const keySerde = materialized?.keySerde ?? p.keySerde;
    const changeSerde = new ChangeSerde((p.valueSerde ?? builder.defaultSerde('value')) as Serde<V>);
    const parent = builder.repartition({
      parentName: p.name,
      topicName: p.groupedName ?? storeName,
      keySerde: keySerde,
      valueSerde: changeSerde,
      table: { sinkName, sourceName },
    });
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
