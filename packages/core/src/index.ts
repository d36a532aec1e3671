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
export type {
  StreamsConfig,
  StreamsConfigInput,
  ProcessingGuarantee,
  BuiltInExceptionHandlerName,
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
} from './topology/node-definitions.js';

// Runtime
export { KafkaStreams } from './runtime/kafka-streams.js';
export type { StreamsMetrics, KafkaStreamsOptions } from './runtime/kafka-streams.js';
export type { StreamsState, StateChange } from './runtime/streams-state.js';
export { QueryableStoreTypes } from './runtime/queryable-store-types.js';
export type { QueryableStoreType } from './runtime/queryable-store-types.js';
export { QueryableStoreName } from './runtime/queryable-store-name.js';
export type { StateRestoreListener, RestoreProgress } from './runtime/changelog-restorer.js';
