import type { ConsumeCallback, RebalanceEvent } from './kafka-consumer-client.js';
import type { ConsumedMessage, TopicPartition, TopicPartitionOffset } from './kafka-types.js';

/**
 * What the runtime consumes through: the Kafka client's consumer (`KafkaConsumerClient`) or Kaskade's native one
 * (`NativeConsumerClient`). One member of a consumer group, offsets committed explicitly.
 */
export interface ConsumerClient {
  connect(timeoutMs?: number): Promise<void>;
  readonly connected: boolean;
  subscribe(topics: readonly string[]): void;
  /** Up to `max` messages across the assigned partitions: one native call and one callback per batch. */
  consume(max: number, callback: ConsumeCallback): void;
  consumeBatch(max: number): Promise<readonly ConsumedMessage[]>;
  assign(partitions: readonly TopicPartition[], protocol?: RebalanceEvent['protocol']): void;
  unassign(partitions: readonly TopicPartition[], protocol?: RebalanceEvent['protocol']): void;
  assignAt(partitions: readonly TopicPartitionOffset[], protocol?: RebalanceEvent['protocol']): void;
  assignments(): TopicPartition[];
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  committed(partitions: readonly TopicPartition[], timeoutMs?: number): Promise<TopicPartitionOffset[]>;
  seek(position: TopicPartitionOffset, timeoutMs?: number): Promise<void>;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  setPollTimeout(ms: number): void;
  position(topic: string, partition: number): number | undefined;
  watermarks(topic: string, partition: number, timeoutMs?: number): Promise<{ low: number; high: number }>;
  disconnect(): Promise<void>;
}
