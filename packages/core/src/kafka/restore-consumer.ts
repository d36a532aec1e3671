import type { ConsumedMessage, TopicPartitionOffset } from './kafka-types.js';

/**
 * What restoration needs of a consumer: partitions assigned at offsets (no group), batches of records, and where
 * fetching stands. Two implementations: the Kafka client's consumer, and Kaskade's native batch consumer
 * (`NativeRestoreConsumer`), which moves a whole batch across the native boundary in one call.
 */
export interface RestoreConsumer {
  /** Which consumer this is, for the log. */
  readonly kind: 'client' | 'native';
  /** Replaces the assignment: each partition is read from its offset. */
  assignAt(partitions: readonly TopicPartitionOffset[]): void;
  /** The records fetched so far (waiting up to the poll timeout for a first one); empty when none came. */
  consumeBatch(max: number): Promise<readonly ConsumedMessage[]>;
  /** The next offset to fetch from a partition, or undefined when there is none yet. */
  position(topic: string, partition: number): number | undefined;
  /** Whether it serves the next restore too (then `release` unassigns), or `release` closes it. */
  readonly reusable: boolean;
  /** Ends one restore. */
  release(): Promise<void>;
  disconnect(): Promise<void>;
}
