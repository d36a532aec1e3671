// @kaskade/core — Topology, the runtime, serdes, config and the Kafka client adapter. Every public name is listed.

// Kafka client adapter
export { KafkaAdmin } from './kafka/kafka-admin.js';
export type { GroupInfo, OffsetQuery } from './kafka/kafka-admin.js';
export { KafkaConsumerClient } from './kafka/kafka-consumer-client.js';
export type { ConsumerClientOptions, RebalanceEvent, ConsumeCallback } from './kafka/kafka-consumer-client.js';
export { KafkaProducerClient } from './kafka/kafka-producer-client.js';
export type { ProducerClientOptions } from './kafka/kafka-producer-client.js';
export { KafkaOperationError } from './kafka/kafka-client-error.js';
export { fromWireHeaders, toWireHeaders } from './kafka/message-headers.js';
export type {
  ClientConfig,
  ConsumedMessage,
  DeliveryReport,
  NewTopicSpec,
  TopicPartition,
  TopicPartitionOffset,
  WireHeaders,
} from './kafka/kafka-types.js';

// Error handling
export type {
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
  ProductionExceptionHandler,
  HandlerResponse,
  DeadLetterRecord,
  RawSourceRecord,
  ErrorHandlerContext,
} from './errors/exception-handlers.js';
