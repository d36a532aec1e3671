import type { ConsumerClient } from './consumer-client.js';
import type { TopicPartitionOffset, WireHeaders } from './kafka-types.js';

/**
 * What the runtime produces through: the Kafka client's producer (`KafkaProducerClient`) or Kaskade's native one
 * (`NativeProducerClient`). `produce` never waits; outcomes arrive as delivery reports.
 */
export interface ProducerClient {
  /**
   * Whether every record's outcome is reported, successes included (with their offsets): the native producer's
   * summed reports; the Kafka client's unless `delivery.report.only.error` (as under exactly-once).
   */
  readonly reportsEveryDelivery: boolean;
  connect(timeoutMs?: number): Promise<void>;
  /**
   * Queues one message without waiting. False when it cannot be taken now (the queue is full): the caller must
   * `flush` and try again. A record refused for what it is (too large, a partition the topic lacks) throws.
   * @param partition the partition, or -1 for the configured partitioner
   */
  produce(
    topic: string,
    partition: number,
    value: Buffer | null,
    key: Buffer | null,
    timestamp: number,
    headers?: WireHeaders,
  ): boolean;
  /** Waits until every queued message is delivered or failed (failures arrive as delivery reports). */
  flush(timeoutMs?: number): Promise<void>;
  initTransactions(timeoutMs?: number): Promise<void>;
  beginTransaction(): Promise<void>;
  /**
   * Adds input offsets to the open transaction with the consumer's group metadata. Each producer takes its own kind
   * of consumer (the Kafka client's, or the native one) and rejects the other.
   */
  sendOffsetsToTransaction(
    offsets: readonly TopicPartitionOffset[],
    consumer: ConsumerClient,
    timeoutMs?: number,
  ): Promise<void>;
  commitTransaction(timeoutMs?: number): Promise<void>;
  abortTransaction(timeoutMs?: number): Promise<void>;
  disconnect(timeoutMs?: number): Promise<void>;
}
