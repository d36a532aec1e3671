import type { Headers } from '@kaskade/processor-api';

/** librdkafka configuration: property name to value. */
export type ClientConfig = { readonly [key: string]: string | number | boolean };

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number;
  /** Commit metadata stored with a committed offset (the runtime records applied rewind commands in it). */
  readonly metadata?: string;
}

/** A message as consumed: bytes, not yet deserialized. Headers are converted lazily by `messageHeaders`. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp?: number;
  readonly key?: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers?: readonly { readonly [key: string]: string | Buffer | null }[];
  readonly size: number;
}

/** One topic to create. */
export interface NewTopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** -1 = the broker's default. */
  readonly replicationFactor: number;
  readonly config?: { readonly [key: string]: string };
}

export interface DeliveryReport extends TopicPartitionOffset {
  readonly error: Error | undefined;
  readonly opaque: unknown;
}

/** Headers in librdkafka's format: a list of one-entry objects. */
export type WireHeaders = { [key: string]: Buffer | string | null }[];

export type { Headers };
