import type { ProcessorSupplier, Serde, StateStore, StoreBuilder, TimestampExtractor } from '@kaskade/processor-api';
import type { SinkTopicConfig } from './sink-topic-config.js';

/** Where a source starts reading when its group has no committed offset. */
export type OffsetResetPolicy = 'earliest' | 'latest' | { readonly timestampMs: number };

/** Chooses a sink's topic per record. */
export type TopicNameExtractor<K = unknown, V = unknown> = (
  key: K,
  value: V,
  context: { readonly topic?: string; readonly partition?: number; readonly offset?: number },
) => string;

/**
 * Chooses a sink's partition per record; return undefined to let the default partitioner decide (murmur2 of the
 * serialized key, as Kafka's Java producer).
 */
export type StreamPartitioner<K = unknown, V = unknown> = (
  topic: string,
  key: K,
  value: V,
  numPartitions: number,
) => number | undefined;

export interface SourceOptions<K = unknown, V = unknown> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly timestampExtractor?: TimestampExtractor;
  readonly offsetReset?: OffsetResetPolicy;
}

export interface SinkOptions<K = unknown, V = unknown> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
  /** Create the topic at start when missing, and check it when it exists (see {@link SinkTopicConfig}). */
  readonly topicConfig?: SinkTopicConfig;
}

export interface SourceNodeDef {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly options: SourceOptions;
  readonly order: number;
}

export interface ProcessorNodeDef {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  readonly parents: readonly string[];
  readonly order: number;
}

export interface SinkNodeDef {
  readonly kind: 'sink';
  readonly name: string;
  readonly topic: string | TopicNameExtractor;
  readonly options: SinkOptions;
  readonly parents: readonly string[];
  readonly order: number;
}

export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef;

export interface StoreDef {
  readonly builder: StoreBuilder<StateStore>;
  readonly processors: Set<string>;
}

/** A topic the application owns (repartition topics): named without the application id, which is prefixed at start. */
export interface InternalTopicDef {
  readonly name: string;
  /** Fixed partition count, or undefined to use the partition count of the sub-topology that writes it. */
  readonly partitions?: number;
}
