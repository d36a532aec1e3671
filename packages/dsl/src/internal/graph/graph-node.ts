// The DSL's logical graph: frozen plain objects with a `kind`, each with a same-named factory. Handles (KStream,
// KTable, ...) add nodes to the one mutable graph of their builder; `InternalStreamsBuilder.build` compiles the nodes,
// in the order they were added, to a core Topology.
import type { ProcessorSupplier, Serde, TimestampExtractor } from '@kaskade/processor-api';
import type { OffsetResetPolicy, SinkTopicConfig, StreamPartitioner, TopicNameExtractor } from '@kaskade/core';

/** Reads one or more topics. */
export interface SourceNode {
  readonly kind: 'SourceNode';
  readonly name: string;
  readonly topics: readonly string[];
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
  readonly offsetReset: OffsetResetPolicy | undefined;
}

/** Runs a processor supplier; `storeNames` are connected to it (added to the topology with their first user). */
export interface ProcessorNode {
  readonly kind: 'ProcessorNode';
  readonly name: string;
  readonly parentNames: readonly string[];
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  readonly storeNames: readonly string[];
  /** Stores decided only when the topology is built (a source table's store, see SourceTableMaterialization). */
  readonly lateStoreNames?: (() => readonly string[]) | undefined;
}

/** Writes to a topic, or to the topic an extractor picks per record. */
export interface SinkNode {
  readonly kind: 'SinkNode';
  readonly name: string;
  readonly parentNames: readonly string[];
  readonly topic: string | TopicNameExtractor<unknown, unknown>;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly partitioner: StreamPartitioner<unknown, unknown> | undefined;
  /** A managed output topic: created or checked at start (`Produced.withTopicConfig`). */
  readonly topicConfig?: SinkTopicConfig | undefined;
}

/** Declares a repartition topic (named without the application id, which the runtime prefixes). */
export interface InternalTopicNode {
  readonly kind: 'InternalTopicNode';
  readonly name: string;
  readonly partitions: number | undefined;
}

/** A global store: its source, the processor that writes it and the store (added as `Topology.addGlobalStore`). */
export interface GlobalStoreNode {
  readonly kind: 'GlobalStoreNode';
  /** The source's name (node names are unique). */
  readonly name: string;
  readonly topic: string;
  readonly storeName: string;
  readonly processorName: string;
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
}

export type GraphNode = SourceNode | ProcessorNode | SinkNode | InternalTopicNode | GlobalStoreNode;

type Props<T extends GraphNode> = Omit<T, 'kind'>;

export const SourceNode = Object.freeze({
  create(props: Props<SourceNode>): SourceNode {
    return Object.freeze({ kind: 'SourceNode', ...props, topics: Object.freeze([...props.topics]) });
  },
});

export const ProcessorNode = Object.freeze({
  create(props: Props<ProcessorNode>): ProcessorNode {
    return Object.freeze({
      kind: 'ProcessorNode',
      ...props,
      parentNames: Object.freeze([...props.parentNames]),
      storeNames: Object.freeze([...props.storeNames]),
    });
  },
});

export const SinkNode = Object.freeze({
  create(props: Props<SinkNode>): SinkNode {
    return Object.freeze({ kind: 'SinkNode', ...props, parentNames: Object.freeze([...props.parentNames]) });
  },
});

export const InternalTopicNode = Object.freeze({
  create(props: Props<InternalTopicNode>): InternalTopicNode {
    return Object.freeze({ kind: 'InternalTopicNode', ...props });
  },
});

export const GlobalStoreNode = Object.freeze({
  create(props: Props<GlobalStoreNode>): GlobalStoreNode {
    return Object.freeze({ kind: 'GlobalStoreNode', ...props });
  },
});
