import type { Headers } from '@kaskade/processor-api';

/**
 * Where sinks, change-logging stores and dead-letter handlers hand their records: the runtime's producer, or the
 * test driver's in-memory topics. `send` never waits.
 */
export interface RecordCollector {
  /** @param partition the partition, or -1 to let the default partitioner (murmur2 of the key) decide */
  send(
    topic: string,
    partition: number,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
  ): void;
  /** Number of partitions of an output topic, for custom partitioners; undefined when unknown. */
  partitionsFor(topic: string): number | undefined;
}
