import { TopologyError } from '@kaskade/processor-api';
import type { Serde } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import type { Aggregator, Initializer, Reducer } from '../functions.js';
import type { KGroupedTable } from '../kgrouped-table.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import type { TableAggregateFunctions } from './aggregate-functions.js';
import { tableAggregating, tableCounting, tableReducing } from './aggregate-functions.js';
import { keyValueAggregateStore } from './aggregate-store.js';
import { AggregationBuilder } from './aggregation-builder.js';
import type { Change } from './change.js';
import { aggregationArgs } from './args.js';
import type { AggregationArgs } from './args.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KTableAggregate } from './processors/ktable-aggregate.js';
import { ChangeSerde } from './serde/change-serde.js';

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
  readonly #aggregations: AggregationBuilder<K, Change<V>>;

  constructor(props: GroupedTableProps<K, V>) {
    const p = Object.freeze({ ...props });
    const builder = p.builder;
    this.#props = p;
    this.#aggregations = new AggregationBuilder<K, Change<V>>({
      builder,
      keySerde: p.keySerde,
      // Names in Kafka Streams' order: store, sink, source, processor; a given name still takes the counter values
      // (KGroupedTableImpl.doAggregate).
      connect: (named, prefix, storeName, keySerde) => {
        const generatedSink = builder.newProcessorName('KSTREAM-SINK-');
        const generatedSource = builder.newProcessorName('KSTREAM-SOURCE-');
        const generatedName = builder.newProcessorName(prefix);
        const parent = builder.repartition({
          parentName: p.name,
          topicName: p.groupedName ?? storeName,
          keySerde,
          valueSerde: new ChangeSerde(p.valueSerde ?? builder.defaultSerde<V>('value')),
          table: {
            sinkName: named ? `${named.name}-sink` : generatedSink,
            sourceName: named ? `${named.name}-source` : generatedSource,
          },
        });
        return { name: named?.name ?? generatedName, parent };
      },
    });
  }

  count(first?: Named | Materialized<K, number>, second?: Materialized<K, number>): KTable<K, number> {
    return this.#aggregate(
      aggregationArgs(first, second, 'count', 'KTABLE-AGGREGATE-', Serdes.Int64()),
      tableCounting(),
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
    const args = aggregationArgs(first, second, 'reduce', 'KTABLE-REDUCE-', this.#props.valueSerde);
    return this.#aggregate(args, tableReducing(adder, subtractor));
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
    const args = aggregationArgs(first, second, 'aggregate', 'KTABLE-AGGREGATE-');
    return this.#aggregate(args, tableAggregating(initializer, adder, subtractor));
  }

  #aggregate<VA>(args: AggregationArgs<K, VA>, functions: TableAggregateFunctions<K, V, VA>): KTable<K, VA> {
    return this.#aggregations.build({
      ...args,
      // The store is named after KTABLE-AGGREGATE- for reduce too.
      storePrefix: 'KTABLE-AGGREGATE-',
      store: keyValueAggregateStore(),
      processor: (storeName) => new KTableAggregate(storeName, functions),
    });
  }
}
