import type { ProcessorSupplier, Serde } from '@kaskade/processor-api';
import type { KTable } from '../ktable.js';
import type { Named } from '../named.js';
import type { AggregateStore } from './aggregate-store.js';
import { erased } from './args.js';
import type { AggregationArgs } from './args.js';
import type { Change } from './change.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KTableImpl } from './ktable-impl.js';
import { settingsOf } from './store-factory.js';

/** Where a grouping's aggregations read from: a grouped stream (maybe repartitioned) or a re-grouped table. */
export interface AggregationInput<K> {
  readonly builder: InternalStreamsBuilder;
  readonly keySerde: Serde<K> | undefined;
  /**
   * Names the aggregation's processor and returns it with the node it reads from, adding any repartition step. Called
   * right after the store is named: each grouping takes its counter values in Kafka Streams' order.
   */
  connect(
    named: Named | undefined,
    prefix: string,
    storeName: string,
    keySerde: Serde<K> | undefined,
  ): { readonly name: string; readonly parent: string };
}

/** One aggregation (`count`, `reduce`, `aggregate`) of a grouping, keyed windowed or not (KR), of aggregates VA. */
export interface AggregationSpec<K, VIn, KR, VA> extends AggregationArgs<K, VA> {
  /** The generated store name's prefix when it is not the processor's (a table's reduce: `KTABLE-AGGREGATE-`). */
  readonly storePrefix?: string | undefined;
  readonly store: AggregateStore<K, KR, VA>;
  readonly processor: (storeName: string) => ProcessorSupplier<K, VIn, KR, Change<VA>>;
  /**
   * `EmitStrategy.onWindowClose()` for an aggregation whose processor cannot emit final results itself (session
   * windows): a final results suppression behind it. Time and sliding windows emit them in their processor.
   */
  readonly emitFinal?: boolean | undefined;
}

/**
 * Builds every aggregation of the DSL — grouped streams and tables, time, sliding and session windows — as Kafka
 * Streams does: the store (named by `Materialized` or `<prefix>STATE-STORE-<n>`), the processor reading the grouping
 * (through a repartition topic when needed) and writing the store, and the result table over the store.
 * `emitFinal` (session windows with `EmitStrategy.onWindowClose()`) puts a final results suppression behind the
 * aggregation (named `<aggregation>-emit-final`, its buffer store `<store>-emit-final`), which Kafka Streams does not
 * have; time and sliding windows emit final results from their own processor and store, as Kafka Streams does.
 *
 * @see org.apache.kafka.streams.kstream.internals.GroupedStreamAggregateBuilder
 */
export class AggregationBuilder<K, VIn> {
  readonly #input: AggregationInput<K>;

  constructor(input: AggregationInput<K>) {
    this.#input = input;
  }

  build<KR, VA>(spec: AggregationSpec<K, VIn, KR, VA>): KTable<KR, VA> {
    const builder = this.#input.builder;
    const materialized = erased(spec.materialized);
    const storeName = spec.materialized?.storeName ?? builder.newStoreName(spec.storePrefix ?? spec.prefix);
    const keySerde = spec.materialized?.keySerde ?? this.#input.keySerde;
    const { name, parent } = this.#input.connect(spec.named, spec.prefix, storeName, keySerde);
    const storeKeySerde = keySerde ?? builder.defaultSerde<K>('key');
    spec.store.add(builder, storeName, materialized, storeKeySerde, spec.valueSerde ?? builder.defaultSerde('value'));
    builder.addProcessor(name, spec.processor(storeName), [parent], [storeName]);
    const table = new KTableImpl<KR, VA>({
      builder,
      name,
      valueSerde: spec.valueSerde,
      storeName,
      ...spec.store.table(storeName, keySerde, storeKeySerde),
    });
    if (spec.emitFinal !== true) return table;
    return table.suppressFinalResults(`${name}-emit-final`, `${storeName}-emit-final`, settingsOf(materialized));
  }
}
