import { TopologyError } from '@kaskade/processor-api';
import type { ProcessorSupplier, ProcessorSupplierLike, StateStore, StoreBuilder } from '@kaskade/processor-api';
import type {
  InternalTopicDef,
  NodeDef,
  SinkNodeDef,
  SinkOptions,
  SourceNodeDef,
  SourceOptions,
  StoreDef,
  TopicNameExtractor,
} from './node-definitions.js';
import type { Subtopology } from './subtopology.js';
import { describeTopology } from './topology-description.js';
import { checkSinkTopicConfig } from './sink-topic-config.js';

const NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;

/**
 * A processing graph built with the Processor API: sources read topics, processors transform, sinks write topics,
 * and state stores are connected to the processors that use them. The DSL compiles to the same class.
 *
 * ```ts
 * const topology = new Topology()
 *   .addSource('in', ['orders'], { keySerde: Serdes.String(), valueSerde: Serdes.Json() })
 *   .addProcessor('enrich', () => new Enricher(), 'in')
 *   .addSink('out', 'orders-enriched', { valueSerde: Serdes.Json() }, 'enrich');
 * ```
 * Validation happens as nodes are added: every error is a `TopologyError` that names the node and the problem.
 *
 * @see org.apache.kafka.streams.Topology
 */
export class Topology {
  readonly #nodes = new Map<string, NodeDef>();
  readonly #children = new Map<string, string[]>();
  readonly #stores = new Map<string, StoreDef>();
  readonly #topicToSource = new Map<string, string>();
  readonly #internalTopics = new Map<string, InternalTopicDef>();
  /** Nodes and stores added by `addGlobalStore`. */
  readonly #global = new Set<string>();
  #order = 0;
  #subtopologies: { tasks: Subtopology[]; global: Subtopology[] } | undefined;

  /** Adds a source node reading one or more topics. */
  addSource<K = unknown, V = unknown>(
    name: string,
    topics: string | readonly string[],
    options: SourceOptions<K, V> = {},
  ): this {
    this.#checkNewName(name, 'source');
    const list = typeof topics === 'string' ? [topics] : [...topics];
    if (list.length === 0)
      throw new TopologyError(`source "${name}" must read at least one topic`, { context: { node: name } });
    for (const topic of list) {
      if (!topic || typeof topic !== 'string') {
        throw new TopologyError(`source "${name}" has an empty topic name`, { context: { node: name } });
      }
      const other = this.#topicToSource.get(topic);
      if (other) {
        throw new TopologyError(
          `topic "${topic}" is already read by source "${other}"; source "${name}" cannot read it too`,
          {
            context: { node: name, topic },
          },
        );
      }
    }
    for (const topic of list) this.#topicToSource.set(topic, name);
    this.#add({ kind: 'source', name, topics: list, options: options as SourceOptions, order: this.#order++ });
    return this;
  }

  /**
   * Adds a processor with one or more parents. The supplier makes one processor instance per task; stores the
   * supplier declares (`stores()`) are added and connected to it.
   */
  addProcessor<KIn, VIn, KOut = never, VOut = never>(
    name: string,
    supplier: ProcessorSupplierLike<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    this.#checkNewName(name, 'processor');
    if (typeof supplier !== 'function' && (typeof supplier !== 'object' || typeof supplier?.get !== 'function')) {
      throw new TopologyError(`processor "${name}" needs a supplier: a function or an object with get()`, {
        context: { node: name },
      });
    }
    this.#checkParents(name, parentNames);
    const normalized: ProcessorSupplier<KIn, VIn, KOut, VOut> =
      typeof supplier === 'function' ? { get: supplier } : supplier;
    this.#add({
      kind: 'processor',
      name,
      supplier: normalized as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      parents: parentNames,
      order: this.#order++,
    });
    for (const builder of normalized.stores?.() ?? []) {
      if (this.#stores.has(builder.name)) this.connectProcessorAndStateStores(name, builder.name);
      else this.addStateStore(builder, name);
    }
    return this;
  }

  /** Adds a sink writing to a topic, or to the topic an extractor picks per record. */
  addSink<K = unknown, V = unknown>(
    name: string,
    topic: string | TopicNameExtractor<K, V>,
    options: SinkOptions<K, V> = {},
    ...parentNames: string[]
  ): this {
    this.#checkNewName(name, 'sink');
    if (typeof topic !== 'function' && (!topic || typeof topic !== 'string')) {
      throw new TopologyError(`sink "${name}" needs a topic name or a topic name extractor`, {
        context: { node: name },
      });
    }
    if (options.topicConfig !== undefined) checkSinkTopicConfig(name, topic, options.topicConfig);
    this.#checkParents(name, parentNames);
    this.#add({
      kind: 'sink',
      name,
      topic: topic as string | TopicNameExtractor,
      options: options as SinkOptions,
      parents: parentNames,
      order: this.#order++,
    });
    return this;
  }

  /** Adds a state store and connects it to the given processors (more can be connected later). */
  addStateStore(builder: StoreBuilder<StateStore>, ...processorNames: string[]): this {
    if (!builder || typeof builder.build !== 'function' || typeof builder.name !== 'string') {
      throw new TopologyError('addStateStore needs a StoreBuilder (see Stores in @kaskade/state-store)');
    }
    if (!NAME_PATTERN.test(builder.name)) {
      throw new TopologyError(`store name "${builder.name}" may only contain letters, digits, '.', '_' and '-'`, {
        context: { store: builder.name },
      });
    }
    if (this.#stores.has(builder.name)) {
      throw new TopologyError(`a store named "${builder.name}" was already added`, {
        context: { store: builder.name },
      });
    }
    this.#stores.set(builder.name, { builder, processors: new Set() });
    this.#invalidate();
    for (const p of processorNames) this.connectProcessorAndStateStores(p, builder.name);
    return this;
  }

  /**
   * Adds a global store: every instance keeps all of it, filled from every partition of `topic` before processing
   * starts and kept up to date while it runs. The topic is the store's changelog, so the builder must have logging
   * disabled. `processorName`'s processor (from `supplier`) receives each record of the topic and writes the store;
   * it forwards nothing. Any processor reads the store by name (`getStateStore`) without being connected to it.
   *
   * @see org.apache.kafka.streams.Topology#addGlobalStore
   */
  addGlobalStore<K, V>(
    builder: StoreBuilder<StateStore>,
    sourceName: string,
    sourceOptions: SourceOptions<K, V>,
    topic: string,
    processorName: string,
    supplier: ProcessorSupplierLike<K, V, unknown, unknown>,
  ): this {
    if (builder?.loggingEnabled) {
      throw new TopologyError(
        `global store "${builder.name}" must have logging disabled (its topic "${topic}" is its changelog): use withLoggingDisabled()`,
        { context: { store: builder.name, topic } },
      );
    }
    if (typeof topic !== 'string' || topic.length === 0) {
      throw new TopologyError(`global store source "${sourceName}" needs a topic name`, {
        context: { node: sourceName },
      });
    }
    this.addSource(sourceName, [topic], sourceOptions);
    this.addProcessor(processorName, supplier, sourceName);
    this.addStateStore(builder, processorName);
    this.#global.add(sourceName).add(processorName).add(builder.name);
    return this;
  }

  /** @internal True for the nodes and stores of global stores. */
  isGlobal(name: string): boolean {
    return this.#global.has(name);
  }

  /** Gives a processor access to stores that were added before. */
  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    const node = this.#nodes.get(processorName);
    if (!node) {
      throw new TopologyError(`cannot connect stores to unknown processor "${processorName}"`, {
        context: { node: processorName },
      });
    }
    if (node.kind !== 'processor') {
      throw new TopologyError(`stores can only be connected to processors; "${processorName}" is a ${node.kind}`, {
        context: { node: processorName },
      });
    }
    for (const s of storeNames) {
      const store = this.#stores.get(s);
      if (!store) {
        throw new TopologyError(`processor "${processorName}" is connected to unknown store "${s}"; add it first`, {
          context: { node: processorName, store: s },
        });
      }
      if (this.#global.has(s) || this.#global.has(processorName)) {
        throw new TopologyError(
          `global store "${s}" is read by any processor without being connected; do not connect it to "${processorName}"`,
          { context: { node: processorName, store: s } },
        );
      }
      store.processors.add(processorName);
    }
    this.#invalidate();
    return this;
  }

  /**
   * Declares a topic the application owns (a repartition topic). Sources and sinks refer to it by this name; at
   * start it becomes `<applicationId>-<name>` and is created by the runtime.
   */
  addInternalTopic(name: string, options: { partitions?: number } = {}): this {
    if (!NAME_PATTERN.test(name)) {
      throw new TopologyError(`internal topic name "${name}" may only contain letters, digits, '.', '_' and '-'`);
    }
    this.#internalTopics.set(name, { name, ...(options.partitions ? { partitions: options.partitions } : {}) });
    this.#invalidate();
    return this;
  }

  /** The topology in Kafka Streams' text format (its `toString()`), readable by existing visualisers. */
  describe(): { readonly subtopologies: readonly Subtopology[]; toString(): string } {
    const subtopologies = this.subtopologies();
    const all = [...subtopologies, ...this.globalSubtopologies()];
    const text = describeTopology(all, (name) => this.storesOf(name));
    return { subtopologies, toString: () => text };
  }

  // ---- read access for the runtime, the DSL and the test driver ----

  /** @internal */
  nodes(): ReadonlyMap<string, NodeDef> {
    return this.#nodes;
  }

  /** @internal Children of a node in the order they were added. */
  childrenOf(name: string): readonly string[] {
    return this.#children.get(name) ?? [];
  }

  /** @internal */
  stores(): ReadonlyMap<string, StoreDef> {
    return this.#stores;
  }

  /** @internal Store names connected to a processor. */
  storesOf(processorName: string): string[] {
    const out: string[] = [];
    for (const [name, def] of this.#stores) if (def.processors.has(processorName)) out.push(name);
    return out;
  }

  /** @internal */
  internalTopics(): ReadonlyMap<string, InternalTopicDef> {
    return this.#internalTopics;
  }

  /**
   * Splits the graph into sub-topologies: nodes connected by edges or by a shared store belong together.
   * Numbered by their first node's position, so an identically rebuilt topology gets identical task ids.
   */
  subtopologies(): readonly Subtopology[] {
    return (this.#subtopologies ??= this.#split()).tasks;
  }

  /** @internal The global stores' sub-topologies, numbered among the others as Kafka Streams numbers them. */
  globalSubtopologies(): readonly Subtopology[] {
    return (this.#subtopologies ??= this.#split()).global;
  }

  #split(): { tasks: Subtopology[]; global: Subtopology[] } {
    if (this.#nodes.size === 0) throw new TopologyError('the topology is empty: add at least one source');
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let r = x;
      while (parent.get(r) !== r) r = parent.get(r)!;
      parent.set(x, r);
      return r;
    };
    const union = (a: string, b: string) => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent.set(rb, ra);
    };
    for (const name of this.#nodes.keys()) parent.set(name, name);
    for (const node of this.#nodes.values())
      if (node.kind !== 'source') for (const p of node.parents) union(p, node.name);
    for (const [storeName, store] of this.#stores) {
      const procs = [...store.processors];
      if (procs.length === 0) {
        throw new TopologyError(`store "${storeName}" is not connected to any processor`, {
          context: { store: storeName },
        });
      }
      for (const p of procs.slice(1)) union(procs[0]!, p);
    }
    const groups = new Map<string, NodeDef[]>();
    for (const node of [...this.#nodes.values()].sort((a, b) => a.order - b.order)) {
      const root = find(node.name);
      let list = groups.get(root);
      if (!list) groups.set(root, (list = []));
      list.push(node);
    }
    const result: Subtopology[] = [];
    const global: Subtopology[] = [];
    let id = 0;
    for (const nodes of groups.values()) {
      const sources = nodes.filter((n): n is SourceNodeDef => n.kind === 'source');
      if (sources.length === 0) {
        throw new TopologyError(`processor "${nodes[0]!.name}" is not reachable from any source`, {
          context: { node: nodes[0]!.name },
        });
      }
      const names = new Set(nodes.map((n) => n.name));
      const isGlobal = this.#global.has(nodes[0]!.name);
      (isGlobal ? global : result).push({
        id: id++,
        ...(isGlobal ? { global: true as const } : {}),
        nodes,
        sources,
        sinks: nodes.filter((n): n is SinkNodeDef => n.kind === 'sink'),
        sourceTopics: sources.flatMap((s) => s.topics),
        storeNames: [...this.#stores].filter(([, d]) => [...d.processors].some((p) => names.has(p))).map(([n]) => n),
      });
    }
    if (result.length === 0) throw new TopologyError('the topology has only global stores: add a source of its own');
    return { tasks: result, global };
  }

  #add(node: NodeDef): void {
    this.#nodes.set(node.name, node);
    this.#children.set(node.name, []);
    if (node.kind !== 'source') for (const p of node.parents) this.#children.get(p)!.push(node.name);
    this.#invalidate();
  }

  #invalidate(): void {
    this.#subtopologies = undefined;
  }

  #checkNewName(name: string, kind: string): void {
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw new TopologyError(`${kind} name "${String(name)}" may only contain letters, digits, '.', '_' and '-'`, {
        context: { node: String(name) },
      });
    }
    if (this.#nodes.has(name)) {
      throw new TopologyError(`a node named "${name}" already exists; node names must be unique`, {
        context: { node: name },
      });
    }
  }

  #checkParents(name: string, parents: readonly string[]): void {
    if (parents.length === 0) {
      throw new TopologyError(`"${name}" needs at least one parent node`, { context: { node: name } });
    }
    for (const p of parents) {
      const parent = this.#nodes.get(p);
      if (!parent) {
        throw new TopologyError(`"${name}" names unknown parent "${p}"; add the parent first`, {
          context: { node: name, parent: p },
        });
      }
      if (this.#global.has(p)) {
        throw new TopologyError(`"${name}" cannot have "${p}" of a global store as its parent`, {
          context: { node: name, parent: p },
        });
      }
      if (parent.kind === 'sink') {
        throw new TopologyError(`"${name}" cannot have sink "${p}" as its parent: sinks have no children`, {
          context: { node: name, parent: p },
        });
      }
    }
    if (new Set(parents).size !== parents.length) {
      throw new TopologyError(`"${name}" lists the same parent twice`, { context: { node: name } });
    }
  }
}
