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

// Serdes
export { Serdes } from './serde/serdes.js';
export { StringSerde } from './serde/string-serde.js';
export { JsonSerde } from './serde/json-serde.js';
export { BytesSerde } from './serde/bytes-serde.js';
export { Int32Serde } from './serde/int32-serde.js';
export { Int64Serde } from './serde/int64-serde.js';
export { BigInt64Serde } from './serde/big-int64-serde.js';
export { Float64Serde } from './serde/float64-serde.js';
export { AvroSerde } from './serde/avro-serde.js';
export type { AvroSchemaOrType } from './serde/avro-serde.js';
export { ZodSerde } from './serde/zod-serde.js';

// Configuration
export { parseStreamsConfig, streamsConfigSchema } from './config/streams-config.js';
export type {
  StreamsConfig,
  StreamsConfigInput,
  ProcessingGuarantee,
  BuiltInExceptionHandlerName,
  MetricsConfig,
  ServerConfig,
} from './config/streams-config.js';
export { consoleLogger, silentLogger } from './config/logger.js';
export type { Logger, LogLevel, LogFields, ConsoleLoggerOptions } from './config/logger.js';

// Built-in exception handlers and timestamp extractors
export { LogAndFailExceptionHandler } from './errors/log-and-fail-exception-handler.js';
export { LogAndContinueExceptionHandler } from './errors/log-and-continue-exception-handler.js';
export { DefaultProductionExceptionHandler } from './errors/default-production-exception-handler.js';
export type { BuiltInHandlerOptions } from './errors/built-in-handler-options.js';
export { deadLetterRecordFor, DeadLetterHeaders } from './errors/dead-letter-record.js';
export { InvalidTimestampError } from './errors/invalid-timestamp-error.js';
export { ExtractRecordMetadataTimestamp } from './time/extract-record-metadata-timestamp.js';
export { RecordTimestampExtractor } from './time/record-timestamp-extractor.js';
export { LogAndSkipOnInvalidTimestamp } from './time/log-and-skip-on-invalid-timestamp.js';
export { UsePartitionTimeOnInvalidTimestamp } from './time/use-partition-time-on-invalid-timestamp.js';
export { WallclockTimestampExtractor } from './time/wallclock-timestamp-extractor.js';

// Topology (Processor API)
export { Topology } from './topology/topology.js';
export type {
  OffsetResetPolicy,
  TopicNameExtractor,
  StreamPartitioner,
  SourceOptions,
  SinkOptions,
  NodeDef,
  SourceNodeDef,
  ProcessorNodeDef,
  SinkNodeDef,
  StoreDef,
  InternalTopicDef,
} from './topology/node-definitions.js';
export type { Subtopology } from './topology/subtopology.js';
export { internalTopicName, planTopics } from './topology/internal-topic-planner.js';
export type { TopicPlan } from './topology/internal-topic-planner.js';

// Runtime
export { KafkaStreams } from './runtime/kafka-streams.js';
export type { StreamsMetrics, KafkaStreamsOptions } from './runtime/kafka-streams.js';
export type { StreamsState, StateChange } from './runtime/streams-state.js';
export { QueryableStoreTypes } from './runtime/queryable-store-types.js';
export type { QueryableStoreType } from './runtime/queryable-store-types.js';
export type { StateRestoreListener, RestoreProgress } from './runtime/changelog-restorer.js';

// Observability: Prometheus metrics, the per-instance HTTP server and its status document
export { ObservabilityServerError } from './observability/observability-error.js';
export type {
  InstanceStatusJson,
  TaskStatusJson,
  PartitionStatusJson,
  RestoreStatusJson,
  TopologyNodeJson,
} from './observability/instance-status.js';

// Runtime internals shared with @kaskade/testing's TopologyTestDriver (same task code, no broker). Not a stable API.
export { StreamTask, changelogTopicName } from './runtime/stream-task.js';
export type { TaskEnvironment } from './runtime/task-environment.js';
export type { RecordCollector } from './runtime/record-collector.js';

// Operations: the application reset tool
export { resetApplication } from './tools/reset-application.js';
export type { ResetApplicationOptions } from './tools/reset-options.js';
export { formatResetPlan } from './tools/reset-plan.js';
export type { ResetPlan, PartitionReset } from './tools/reset-plan.js';
export { ApplicationResetError } from './tools/application-reset-error.js';
export { parseIsoDuration } from './tools/iso-duration.js';
export { describeApplication, formatApplicationStatus } from './tools/describe-application.js';
export type { DescribeApplicationOptions, ApplicationStatus, PartitionStatus } from './tools/describe-application.js';
