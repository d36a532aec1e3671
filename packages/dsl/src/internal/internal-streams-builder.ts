import { TopologyError } from '@kaskade/processor-api';
import type { Processor, ProcessorSupplier, Serde, StateStore, StoreBuilder } from '@kaskade/processor-api';
import { Topology } from '@kaskade/core';
import type { StreamPartitioner } from '@kaskade/core';
import type { GraphNode } from './graph/graph-node.js';
import { GlobalStoreNode, InternalTopicNode, ProcessorNode, SinkNode, SourceNode } from './graph/graph-node.js';
import { KStreamDropNullKeys } from './processors/kstream-drop-null-keys.js';
import { DefaultSerde } from './serde/default-serde.js';

/** Suffix of repartition topics, as in Kafka Streams. */
export const REPARTITION_TOPIC_SUFFIX = '-repartition';

/** Options of one repartition step (sink to and source from an internal topic) for records of key K and value V. */
export interface RepartitionOptions<K, V> {
  readonly parentName: string;
  /** The topic's base name; `-repartition` is appended unless present. */
  readonly topicName: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** Erased as the sink node keeps it (the operations check it against their record types). */
  readonly partitioner?: StreamPartitioner<unknown, unknown> | undefined;
  readonly partitions?: number | undefined;
  /**
   * Table repartitioning (`KTable.groupBy`) has no null-key filter (its mapper drops null keys) and may name its
   * sink and source after the operation; stream repartitioning gets a null-key filter and generated names.
   */
  readonly table?: { readonly sinkName: string; readonly sourceName: string } | undefined;
}

/**
 * The one mutable part of the DSL: the logical graph a `StreamsBuilder` and its handles add to, the counter behind
 * generated names, and the stores. Handles are immutable and share this object.
 *
 * @see org.apache.kafka.streams.kstream.internals.InternalStreamsBuilder
 */
export class InternalStreamsBuilder {
  readonly #nodes: GraphNode[] = [];
  readonly #nodeNames = new Set<string>();
  readonly #stores = new Map<string, StoreBuilder<StateStore>>();
  readonly #userStores = new Set<string>();
  readonly #topicsRead = new Map<string, string>();
  readonly #repartitions = new Map<string, { parentName: string; sourceName: string }>();
  readonly #defaultSerdes: DefaultSerde<unknown>[] = [];
  #index = 0;

  /** `<prefix><10-digit counter>`, e.g. `KSTREAM-FILTER-0000000001`. */
  newProcessorName(prefix: string): string {
    return prefix + String(this.#index++).padStart(10, '0');
  }

  /** `<prefix>STATE-STORE-<10-digit counter>`, e.g. `KSTREAM-AGGREGATE-STATE-STORE-0000000003`. */
  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.#index++).padStart(10, '0')}`;
  }

  /** A placeholder for the application's default serde (see DefaultSerde). */
  defaultSerde<T>(which: 'key' | 'value'): Serde<T> {
    const serde = new DefaultSerde<unknown>(which);
    this.#defaultSerdes.push(serde);
    return serde as Serde<T>;
  }

  /** Adds a global store (its store must have been added with `addStore`, logging disabled). */
  addGlobalStore(props: Omit<GlobalStoreNode, 'kind'>): void {
    this.#checkUnread([props.topic], props.name);
    this.#add(GlobalStoreNode.create(props));
    this.#nodeNames.add(props.processorName);
    this.#topicsRead.set(props.topic, props.name);
  }

  addSource(props: Omit<SourceNode, 'kind'>): void {
    this.#checkUnread(props.topics, props.name);
    this.#add(SourceNode.create(props));
    for (const topic of props.topics) this.#topicsRead.set(topic, props.name);
  }

  #checkUnread(topics: readonly string[], name: string): void {
    for (const topic of topics) {
      const other = this.#topicsRead.get(topic);
      if (other !== undefined) {
        throw new TopologyError(
          `topic "${topic}" is already read by source "${other}"; read it once and reuse the stream`,
          {
            context: { topic, node: name },
          },
        );
      }
    }
  }

  /**
   * Adds a processor reading from `parentNames`. Typed by the supplier's record types: the graph keeps suppliers as
   * `ProcessorSupplier<unknown, ...>` (the node's parents decide what it receives, checked by each operation).
   */
  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    parentNames: readonly string[],
    storeNames: readonly string[] = [],
    lateStoreNames?: () => readonly string[],
  ): void {
    for (const s of storeNames) {
      if (!this.#stores.has(s)) {
        throw new TopologyError(
          `processor "${name}" uses unknown store "${s}"; add it with StreamsBuilder.addStateStore first`,
          {
            context: { node: name, store: s },
          },
        );
      }
    }
    this.#add(
      ProcessorNode.create({
        name,
        parentNames,
        supplier,
        storeNames,
        lateStoreNames,
      }),
    );
  }

  /** Declares an internal topic that the caller's own sink and source nodes write and read (foreign-key joins). */
  addInternalTopic(name: string, partitions?: number): void {
    this.#add(InternalTopicNode.create({ name, partitions }));
  }

  addSink(props: Omit<SinkNode, 'kind'>): void {
    this.#add(SinkNode.create(props));
  }

  /** Adds a store the DSL created for one of its operators. */
  addStore(builder: StoreBuilder<StateStore>): void {
    if (this.#stores.has(builder.name)) {
      throw new TopologyError(
        `a store named "${builder.name}" already exists; give each Materialized/StreamJoined/Suppressed its own name`,
        { context: { store: builder.name } },
      );
    }
    this.#stores.set(builder.name, builder);
  }

  /** Adds a store for `process()`/`processValues()` (StreamsBuilder.addStateStore). */
  addUserStore(builder: StoreBuilder<StateStore>): void {
    this.addStore(builder);
    this.#userStores.add(builder.name);
  }

  hasStore(name: string): boolean {
    return this.#stores.has(name);
  }

  /**
   * Sends records from `parentName` through an internal topic and returns the name of the source that reads it back:
   * a null-key filter, a sink and a source, named as Kafka Streams names them. Asking again for the same topic from
   * the same parent returns the existing source, so a re-keyed stream used twice is repartitioned once.
   */
  repartition<K, V>(options: RepartitionOptions<K, V>): string {
    const topic = options.topicName.endsWith(REPARTITION_TOPIC_SUFFIX)
      ? options.topicName
      : options.topicName + REPARTITION_TOPIC_SUFFIX;
    const existing = this.#repartitions.get(topic);
    if (existing !== undefined) {
      if (existing.parentName === options.parentName) return existing.sourceName;
      throw new TopologyError(
        `repartition topic "${topic}" is already used by another operation; name the operations differently (Grouped.as, Repartitioned.as, Joined.as, Named.as)`,
        { context: { topic } },
      );
    }
    const table = options.table;
    let sinkName: string;
    let filterName: string | undefined;
    let sourceName: string;
    if (table) {
      sinkName = table.sinkName;
      sourceName = table.sourceName;
    } else {
      // As Kafka Streams (KStreamImpl.createRepartitionedSource): the three counter values are always taken, and a
      // topic named after a user-given name gets `<topic>-sink`, `<topic>-filter` and `<topic>-source` nodes.
      sinkName = this.newProcessorName('KSTREAM-SINK-');
      filterName = this.newProcessorName('KSTREAM-FILTER-');
      sourceName = this.newProcessorName('KSTREAM-SOURCE-');
      if (!/^KSTREAM.*-[0-9]{10}$/.test(options.topicName.replace(/-repartition$/, ''))) {
        sinkName = `${topic}-sink`;
        filterName = `${topic}-filter`;
        sourceName = `${topic}-source`;
      }
    }
    this.#add(InternalTopicNode.create({ name: topic, partitions: options.partitions }));
    if (filterName !== undefined) this.addProcessor(filterName, new KStreamDropNullKeys(), [options.parentName]);
    this.addSink({
      name: sinkName,
      parentNames: [filterName ?? options.parentName],
      topic,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      partitioner: options.partitioner,
    });
    this.addSource({
      name: sourceName,
      topics: [topic],
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      timestampExtractor: undefined,
      offsetReset: undefined,
    });
    this.#repartitions.set(topic, { parentName: options.parentName, sourceName });
    return sourceName;
  }

  /** Compiles the graph to a new Topology (each call builds a new, identical one). */
  build(): Topology {
    const topology = new Topology();
    const added = new Set<string>();
    const bindDefaults =
      this.#defaultSerdes.length === 0
        ? undefined
        : (appConfigs: Readonly<{ [key: string]: unknown }>) => {
            for (const s of this.#defaultSerdes) s.bind(appConfigs);
          };
    for (const node of this.#nodes) {
      switch (node.kind) {
        case 'InternalTopicNode':
          topology.addInternalTopic(node.name, node.partitions === undefined ? {} : { partitions: node.partitions });
          break;
        case 'SourceNode':
          topology.addSource(node.name, node.topics, {
            ...(node.keySerde ? { keySerde: node.keySerde } : {}),
            ...(node.valueSerde ? { valueSerde: node.valueSerde } : {}),
            ...(node.timestampExtractor ? { timestampExtractor: node.timestampExtractor } : {}),
            ...(node.offsetReset ? { offsetReset: node.offsetReset } : {}),
          });
          break;
        case 'ProcessorNode': {
          const supplier = bindDefaults ? bindingSupplier(node.supplier, bindDefaults) : node.supplier;
          topology.addProcessor(node.name, supplier, ...node.parentNames);
          for (const storeName of [...node.storeNames, ...(node.lateStoreNames?.() ?? [])]) {
            if (added.has(storeName) || topology.stores().has(storeName)) {
              topology.connectProcessorAndStateStores(node.name, storeName);
            } else {
              topology.addStateStore(this.#stores.get(storeName)!, node.name);
            }
            added.add(storeName);
          }
          break;
        }
        case 'GlobalStoreNode': {
          const supplier = bindDefaults ? bindingSupplier(node.supplier, bindDefaults) : node.supplier;
          const options = {
            ...(node.keySerde ? { keySerde: node.keySerde } : {}),
            ...(node.valueSerde ? { valueSerde: node.valueSerde } : {}),
            ...(node.timestampExtractor ? { timestampExtractor: node.timestampExtractor } : {}),
          };
          const store = this.#stores.get(node.storeName)!;
          topology.addGlobalStore(store, node.name, options, node.topic, node.processorName, supplier);
          added.add(node.storeName);
          break;
        }
        case 'SinkNode':
          topology.addSink(
            node.name,
            node.topic,
            {
              ...(node.keySerde ? { keySerde: node.keySerde } : {}),
              ...(node.valueSerde ? { valueSerde: node.valueSerde } : {}),
              ...(node.partitioner ? { partitioner: node.partitioner } : {}),
              ...(node.topicConfig ? { topicConfig: node.topicConfig } : {}),
            },
            ...node.parentNames,
          );
          break;
      }
    }
    for (const name of this.#userStores) {
      if (!added.has(name)) {
        throw new TopologyError(
          `store "${name}" was added with addStateStore but no processor uses it; pass its name to process() or processValues()`,
          { context: { store: name } },
        );
      }
    }
    return topology;
  }

  #add(node: GraphNode): void {
    if (node.kind !== 'InternalTopicNode') {
      if (this.#nodeNames.has(node.name)) {
        throw new TopologyError(
          `a processor named "${node.name}" already exists; names given with Named/Consumed/Produced/Grouped must be unique`,
          {
            context: { node: node.name },
          },
        );
      }
      this.#nodeNames.add(node.name);
    }
    this.#nodes.push(node);
  }
}

/** Wraps a supplier so that its processors bind the default-serde placeholders before their own init. */
function bindingSupplier(
  supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>,
  bind: (appConfigs: Readonly<{ [key: string]: unknown }>) => void,
): ProcessorSupplier<unknown, unknown, unknown, unknown> {
  const stores = supplier.stores?.bind(supplier);
  return {
    get: (): Processor<unknown, unknown, unknown, unknown> => {
      const inner = supplier.get();
      return {
        init: (context) => {
          bind(context.appConfigs());
          inner.init?.(context);
        },
        process: (record) => inner.process(record),
        close: () => inner.close?.(),
      };
    },
    ...(stores ? { stores } : {}),
  };
}
