import { TopologyError } from '@kaskade/processor-api';
import type { StateStore, StoreBuilder } from '@kaskade/processor-api';
import type { Topology } from '@kaskade/core';
import { Consumed } from './consumed.js';
import type { GlobalKTable } from './global-ktable.js';
import { GlobalKTableImpl } from './internal/global-ktable-impl.js';
import { InternalStreamsBuilder } from './internal/internal-streams-builder.js';
import { KStreamImpl } from './internal/kstream-impl.js';
import { KTableImpl } from './internal/ktable-impl.js';
import { KTableSource } from './internal/processors/ktable-source.js';
import { SourceTableMaterialization } from './internal/source-table-materialization.js';
import { addTimestampedKeyValueStore, addVersionedStoreIfGiven } from './internal/store-factory.js';
import type { KStream } from './kstream.js';
import type { KTable } from './ktable.js';
import { Materialized } from './materialized.js';

/**
 * The entry point of the DSL: declares input streams and tables, and builds the resulting `Topology`.
 *
 * Generated names follow Kafka Streams (`KSTREAM-SOURCE-0000000000`, `KSTREAM-FILTER-0000000001`, ...), from one
 * counter per builder, so an identically built topology has identical processor, store and internal topic names —
 * and finds its state and repartition topics again after a restart.
 *
 * ```ts
 * const builder = new StreamsBuilder();
 * builder.stream('words', Consumed.with(Serdes.String(), Serdes.String()))
 *   .groupBy((_k, word) => word)
 *   .count(Materialized.as('word-counts'))
 *   .toStream()
 *   .to('word-counts-out', Produced.with(Serdes.String(), Serdes.Int64()));
 * const topology = builder.build();
 * ```
 * @see org.apache.kafka.streams.StreamsBuilder
 */
export class StreamsBuilder {
  readonly #internal = new InternalStreamsBuilder();

  /** A stream of the records of one or more topics (read by one source). */
  stream<K = unknown, V = unknown>(topics: string | readonly string[], consumed?: Consumed<K, V>): KStream<K, V> {
    const list = typeof topics === 'string' ? [topics] : [...topics];
    if (list.length === 0 || list.some((t) => typeof t !== 'string' || t.length === 0)) {
      throw new TopologyError('stream() needs one or more non-empty topic names');
    }
    const builder = this.#internal;
    const generated = builder.newProcessorName('KSTREAM-SOURCE-'); // taken even when named, as in Kafka Streams
    const name = consumed?.processorName ?? generated;
    builder.addSource({
      name,
      topics: list,
      keySerde: consumed?.keySerde,
      valueSerde: consumed?.valueSerde,
      timestampExtractor: consumed?.timestampExtractor,
      offsetReset: consumed?.offsetResetPolicy,
    });
    return new KStreamImpl<K, V>({
      builder,
      name,
      keySerde: consumed?.keySerde,
      valueSerde: consumed?.valueSerde,
      repartitionRequired: false,
    });
  }

  /**
   * A table of a topic read as a changelog: the latest value per key, a null value deleting the key. The table is
   * materialized in a store (`Materialized.as(name)`, else `<topic>-STATE-STORE-<n>`), logged to its own changelog.
   */
  table<K = unknown, V = unknown>(
    topic: string,
    consumed?: Consumed<K, V>,
    materialized?: Materialized<K, V>,
  ): KTable<K, V>;
  table<K = unknown, V = unknown>(topic: string, materialized: Materialized<K, V>): KTable<K, V>;
  table<K, V>(
    topic: string,
    consumedOrMaterialized?: Consumed<K, V> | Materialized<K, V>,
    materializedArg?: Materialized<K, V>,
  ): KTable<K, V> {
    const { consumed, materialized, storeName, sourceName, tableSourceName, keySerde, valueSerde } = this.#tableParts(
      'table',
      topic,
      consumedOrMaterialized,
      materializedArg,
    );
    const builder = this.#internal;
    builder.addSource({
      name: sourceName,
      topics: [topic],
      keySerde: consumed?.keySerde ?? keySerde,
      valueSerde: consumed?.valueSerde ?? valueSerde,
      timestampExtractor: consumed?.timestampExtractor,
      offsetReset: consumed?.offsetResetPolicy,
    });
    const m = materialized as Materialized<unknown, unknown> | undefined;
    const [k, v] = [keySerde ?? builder.defaultSerde('key'), valueSerde ?? builder.defaultSerde('value')];
    if (!addVersionedStoreIfGiven(builder, m, k, v)) addTimestampedKeyValueStore(builder, storeName, m, k, v);
    const materialization = new SourceTableMaterialization(storeName, materialized?.storeName !== undefined);
    builder.addProcessor(tableSourceName, new KTableSource<K, V>(materialization), [sourceName], [], () =>
      materialization.storeNames(),
    );
    return new KTableImpl<K, V>({
      builder,
      name: tableSourceName,
      keySerde,
      valueSerde,
      valueGetter: materialization.valueGetter<K, V>(),
      // Queryable only when named by the user (Materialized.as), as Kafka Streams' queryableStoreName().
      storeName: materialized?.storeName,
      window: undefined,
      oldValues: materialization,
    });
  }

  /**
   * A table every instance holds in full, read from all partitions of `topic` (see {@link GlobalKTable}). Its store
   * (`Materialized.as(name)`, else `<topic>-STATE-STORE-<n>`) has no changelog: the topic is its changelog.
   */
  globalTable<K = unknown, V = unknown>(
    topic: string,
    consumed?: Consumed<K, V>,
    materialized?: Materialized<K, V>,
  ): GlobalKTable<K, V>;
  globalTable<K = unknown, V = unknown>(topic: string, materialized: Materialized<K, V>): GlobalKTable<K, V>;
  globalTable<K, V>(
    topic: string,
    consumedOrMaterialized?: Consumed<K, V> | Materialized<K, V>,
    materializedArg?: Materialized<K, V>,
  ): GlobalKTable<K, V> {
    const { consumed, materialized, storeName, sourceName, tableSourceName, keySerde, valueSerde } = this.#tableParts(
      'globalTable',
      topic,
      consumedOrMaterialized,
      materializedArg,
    );
    const builder = this.#internal;
    addTimestampedKeyValueStore(
      builder,
      storeName,
      materialized as Materialized<unknown, unknown> | undefined,
      keySerde ?? builder.defaultSerde('key'),
      valueSerde ?? builder.defaultSerde('value'),
      true,
    );
    const materialization = new SourceTableMaterialization(storeName, true);
    builder.addGlobalStore({
      name: sourceName,
      topic,
      storeName,
      processorName: tableSourceName,
      supplier: new KTableSource<K, V>(materialization) as never,
      keySerde: consumed?.keySerde ?? keySerde,
      valueSerde: consumed?.valueSerde ?? valueSerde,
      timestampExtractor: consumed?.timestampExtractor,
    });
    return new GlobalKTableImpl<K, V>(builder, storeName, materialized?.storeName !== undefined);
  }

  /**
   * What `table()` and `globalTable()` share: their arguments told apart, the store and processor names taken in
   * Kafka Streams' order (store, source, table source; the counter values are taken even when named: a named table's
   * source is `<name>-source` and its table processor `<name>`), and the serdes (Materialized's over Consumed's).
   */
  #tableParts<K, V>(
    method: string,
    topic: string,
    consumedOrMaterialized: Consumed<K, V> | Materialized<K, V> | undefined,
    materializedArg: Materialized<K, V> | undefined,
  ) {
    if (typeof topic !== 'string' || topic.length === 0) throw new TopologyError(`${method}() needs a topic name`);
    const consumed = consumedOrMaterialized instanceof Consumed ? consumedOrMaterialized : undefined;
    const materialized = consumedOrMaterialized instanceof Materialized ? consumedOrMaterialized : materializedArg;
    const builder = this.#internal;
    const storeName = materialized?.storeName ?? builder.newStoreName(`${topic}-`);
    const generatedSource = builder.newProcessorName('KSTREAM-SOURCE-');
    const generatedTableSource = builder.newProcessorName('KTABLE-SOURCE-');
    return {
      consumed,
      materialized,
      storeName,
      sourceName: consumed?.processorName ? `${consumed.processorName}-source` : generatedSource,
      tableSourceName: consumed?.processorName ?? generatedTableSource,
      keySerde: materialized?.keySerde ?? consumed?.keySerde,
      valueSerde: materialized?.valueSerde ?? consumed?.valueSerde,
    };
  }

  /** Adds a store for processors added with `KStream.process()` / `processValues()`, which name it. */
  addStateStore(storeBuilder: StoreBuilder<StateStore>): this {
    if (!storeBuilder || typeof storeBuilder.build !== 'function' || typeof storeBuilder.name !== 'string') {
      throw new TopologyError('addStateStore needs a StoreBuilder (see Stores in @kaskade/state-store)');
    }
    this.#internal.addUserStore(storeBuilder);
    return this;
  }

  /** Compiles everything declared so far into a new `Topology`. */
  build(): Topology {
    return this.#internal.build();
  }
}
