import type { ProcessorSupplier, Serde } from '@kaskade/processor-api';
import type { KTable } from '../ktable.js';
import type { Named } from '../named.js';
import type { AggregateStore } from './aggregate-store.js';
import { erased, nameOrGenerate } from './args.js';
import type { AggregationArgs } from './args.js';
import type { Change } from './change.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { KTableImpl } from './ktable-impl.js';
import { KStreamPassThrough } from './processors/kstream-pass-through.js';
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
   * `EmitStrategy.onWindowClose({ wallClock: true })`: a final results suppression behind the aggregation, whose
   * punctuation closes windows on the wall clock. With `onWindowClose()` the aggregate processor emits them itself.
   */
  readonly emitFinal?: boolean | undefined;
  /** `EmitStrategy.onWindowClose({ wallClock: true })`: windows also close on the wall clock, checked this often. */
  readonly wallClockCheckMs?: number | undefined;
}

/**
 * Builds every aggregation of the DSL — grouped streams and tables, time, sliding and session windows — as Kafka
 * Streams does: the store (named by `Materialized` or `<prefix>STATE-STORE-<n>`), the processor reading the grouping
 * (through a repartition topic when needed) and writing the store, and the result table over the store.
 * `emitFinal` (`EmitStrategy.onWindowClose({ wallClock: true })`, which Kafka Streams does not have) puts a final
 * results suppression behind the aggregation (named `<aggregation>-emit-final`, its buffer store
 * `<store>-emit-final`); with `onWindowClose()` the aggregate processors emit final results from their own store, as
 * Kafka Streams does.
 *
 * @see org.apache.kafka.streams.kstream.internals.GroupedStreamAggregateBuilder
 */
export class AggregationBuilder<K, VIn> {
  readonly #input: AggregationInput<K>;

  constructor(input: AggregationInput<K>) {
    this.#input = input;
  }

  build<KR, VA>(spec: AggregationSpec<K, VIn, KR, VA>): KTable<KR, VA> {
    const input = this.#input;
    const store = nameStore(input.builder, spec, spec.storePrefix ?? spec.prefix, input.keySerde);
    const { name, parent } = input.connect(spec.named, spec.prefix, store.storeName, store.keySerde);
    addStore(input.builder, spec, store);
    input.builder.addProcessor(name, spec.processor(store.storeName), [parent], [store.storeName]);
    const table = resultTable(input.builder, spec, name, store);
    if (spec.emitFinal !== true) return table;
    const settings = settingsOf(erased(spec.materialized));
    const bufferName = `${store.storeName}-emit-final`;
    return table.suppressFinalResults(`${name}-emit-final`, bufferName, settings, spec.wallClockCheckMs);
  }
}

/** One grouped stream of a cogroup: the node it is read from, and its processor writing the shared store. */
export interface CogroupedPart<K, KR, VA> {
  /** The node the processor reads, after adding the repartition topic (named `topicName` unless grouped by name). */
  readonly parent: (topicName: string) => string;
  readonly processor: (storeName: string) => ProcessorSupplier<K, unknown, KR, Change<VA>>;
}

/** `CogroupedKStream.aggregate` (windowed or not): several grouped streams, one store, one result table. */
export interface CogroupedAggregationSpec<K, KR, VA> extends AggregationArgs<K, VA> {
  readonly builder: InternalStreamsBuilder;
  readonly keySerde: Serde<K> | undefined;
  readonly store: AggregateStore<K, KR, VA>;
  readonly parts: readonly CogroupedPart<K, KR, VA>[];
}

/**
 * Builds a cogrouped aggregation as Kafka Streams' CogroupedStreamAggregateBuilder does, in its naming order: the
 * store, every repartition topic (named after the store unless the grouping is named), one processor per grouped
 * stream (`<name>-cogroup-agg-<i>` or `COGROUPKSTREAM-AGGREGATE-<n>`), all writing the one store, then the merge node
 * (`<name>-cogroup-merge` or `COGROUPKSTREAM-MERGE-<n>`) that passes their updates on as the result table.
 *
 * @see org.apache.kafka.streams.kstream.internals.CogroupedStreamAggregateBuilder
 */
export function buildCogroupedAggregation<K, KR, VA>(spec: CogroupedAggregationSpec<K, KR, VA>): KTable<KR, VA> {
  const builder = spec.builder;
  const store = nameStore(builder, spec, spec.prefix, spec.keySerde);
  const parents = spec.parts.map((part) => part.parent(store.storeName));
  addStore(builder, spec, store);
  const named = spec.named?.name;
  // A given name still takes the counter values, as in Kafka Streams (NamedInternal.suffixWithOrElseGet).
  const names = spec.parts.map((part, i) => {
    const generated = nameOrGenerate(builder, undefined, spec.prefix);
    const name = named === undefined ? generated : `${named}-cogroup-agg-${i}`;
    builder.addProcessor(name, part.processor(store.storeName), [parents[i]!], [store.storeName]);
    return name;
  });
  const generated = nameOrGenerate(builder, undefined, 'COGROUPKSTREAM-MERGE-');
  const mergeName = named === undefined ? generated : `${named}-cogroup-merge`;
  builder.addProcessor(mergeName, new KStreamPassThrough(), names);
  return resultTable(builder, spec, mergeName, store);
}

interface NamedStore<K> {
  readonly storeName: string;
  /** As known (undefined: the app default). */
  readonly keySerde: Serde<K> | undefined;
  /** The one the store is given. */
  readonly storeKeySerde: Serde<K>;
}

function nameStore<K, VA>(
  builder: InternalStreamsBuilder,
  args: AggregationArgs<K, VA>,
  prefix: string,
  inputKeySerde: Serde<K> | undefined,
): NamedStore<K> {
  const storeName = args.materialized?.storeName ?? builder.newStoreName(prefix);
  const keySerde = args.materialized?.keySerde ?? inputKeySerde;
  return { storeName, keySerde, storeKeySerde: keySerde ?? builder.defaultSerde<K>('key') };
}

function addStore<K, KR, VA>(
  builder: InternalStreamsBuilder,
  spec: AggregationArgs<K, VA> & { readonly store: AggregateStore<K, KR, VA> },
  store: NamedStore<K>,
): void {
  const valueSerde = spec.valueSerde ?? builder.defaultSerde<VA>('value');
  spec.store.add(builder, store.storeName, erased(spec.materialized), store.storeKeySerde, valueSerde);
}

function resultTable<K, KR, VA>(
  builder: InternalStreamsBuilder,
  spec: AggregationArgs<K, VA> & { readonly store: AggregateStore<K, KR, VA> },
  name: string,
  store: NamedStore<K>,
): KTableImpl<KR, VA> {
  return new KTableImpl<KR, VA>({
    builder,
    name,
    valueSerde: spec.valueSerde,
    storeName: store.storeName,
    ...spec.store.table(store.storeName, store.keySerde, store.storeKeySerde),
  });
}
