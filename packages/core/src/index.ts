// @kaskade/core — Topology, the runtime (KafkaStreams), serdes, config and error handling: every name applications
// write code against, listed. The Kafka client adapter, stream tasks, the record collector and topic planning are
// behind `@kaskade/core/internal`, for Kaskade's own packages only.

// Errors of the Kafka client, and error handling
export { KafkaOperationError } from './kafka/kafka-client-error.js';
export type { ClientConfig } from './kafka/kafka-types.js';
export type {
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
  ProductionExceptionHandler,
  HandlerResponse,
  DeadLetterRecord,
  RawSourceRecord,
  ErrorHandlerContext,
  ProductionErrorContext,
  SourceRecordContext,
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
export type { AvroSchemaOrType, AvroSerdeOptions, AvroWireFormat } from './serde/avro-serde.js';
export { ZodSerde } from './serde/zod-serde.js';

// Configuration
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
export { LogAndContinueProductionExceptionHandler } from './errors/log-and-continue-production-exception-handler.js';
export type { BuiltInHandlerOptions } from './errors/built-in-handler-options.js';
export { deadLetterRecordFor, DeadLetterHeaders } from './errors/dead-letter-record.js';
export { InvalidTimestampError } from './errors/invalid-timestamp-error.js';
export { StartTimeoutError } from './errors/start-timeout-error.js';
export { UndeliverableRecordError } from './errors/undeliverable-record-error.js';
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
} from './topology/node-definitions.js';
export type { SinkTopicConfig } from './topology/sink-topic-config.js';

// Runtime
export { KafkaStreams } from './runtime/kafka-streams.js';
export { asyncProcessor } from './runtime/async/async-processor.js';
export type {
  StreamsMetrics,
  KafkaStreamsOptions,
  ProducerFactory,
  ThreadMetadata,
  StreamsApp,
  StreamsAppFactory,
} from './runtime/kafka-streams.js';
export { StreamThreadError } from './runtime/threads/stream-thread-error.js';
export type { StreamsState, StateChange } from './runtime/streams-state.js';
export { QueryableStoreTypes } from './runtime/queryable-store-types.js';
export type { QueryableStoreType } from './runtime/queryable-store-types.js';
export { QueryableStoreName } from './runtime/queryable-store-name.js';
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

// Operations: the application reset tool
export { resetApplication } from './tools/reset-application.js';
export type { ResetApplicationOptions } from './tools/reset-options.js';
export { formatResetPlan } from './tools/reset-plan.js';
export type { ResetPlan, PartitionReset } from './tools/reset-plan.js';
export { ApplicationResetError } from './tools/application-reset-error.js';
export { parseIsoDuration } from './tools/iso-duration.js';
export { describeApplication, formatApplicationStatus } from './tools/describe-application.js';
export type { DescribeApplicationOptions, ApplicationStatus, PartitionStatus } from './tools/describe-application.js';

// Operations: pause, resume and rewind every replica through the application's control topic
export {
  pauseApplication,
  resumeApplication,
  rewindApplication,
  readApplicationControl,
} from './control/application-control.js';
export type { ApplicationControlOptions, RewindApplicationOptions } from './control/application-control.js';
export { ApplicationControlError } from './control/application-control-error.js';
export { controlTopicName } from './control/control-commands.js';
export type { DesiredState, RewindCommand, RewindTarget } from './control/control-commands.js';
