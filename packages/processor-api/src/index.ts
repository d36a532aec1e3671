// @kaskade/processor-api — the contracts that processors, stores and the runtime share. No runtime code beyond
// small value types.
export { Record } from './record.js';
export { Headers } from './headers.js';
export type { Header } from './headers.js';
export type { RecordMetadata } from './record-metadata.js';
export type { TaskId } from './task-id.js';
export { taskIdToString, parseTaskId } from './task-id.js';
export { PunctuationType } from './punctuation.js';
export type { Punctuator, Cancellable } from './punctuation.js';
export type { Serde } from './serde.js';
export type { TimestampExtractor, ConsumedRecord } from './timestamp-extractor.js';
export type {
  Processor,
  FixedKeyProcessor,
  ProcessorSupplier,
  FixedKeyProcessorSupplier,
  ProcessorSupplierLike,
  ConnectedStoreProvider,
} from './processor.js';
export type { ProcessorContext, FixedKeyProcessorContext } from './processor-context.js';
export type {
  AsyncProcessor,
  AsyncProcessorSupplier,
  AsyncAttempt,
  AsyncBackoff,
  AsyncProcessingOptions,
} from './async-processor.js';
export type { StateStore } from './store/state-store.js';
export type { KeyValue, KeyValueIterator } from './store/key-value.js';
export type {
  ReadOnlyKeyValueStore,
  KeyValueStore,
  ValueAndTimestamp,
  TimestampedKeyValueStore,
} from './store/key-value-store.js';
export type { Window, Windowed } from './store/windowed.js';
export type { ReadOnlyWindowStore, WindowStore, WindowStoreIterator } from './store/window-store.js';
export type { ReadOnlySessionStore, SessionStore } from './store/session-store.js';
export type { StoreBuilder } from './store/store-builder.js';
export type { VersionedKeyValueStore, VersionedRecord } from './store/versioned-key-value-store.js';
export { VERSIONED_PUT_NOT_PUT, VERSIONED_PUT_VALID_TO_UNDEFINED } from './store/versioned-key-value-store.js';
export {
  StreamsError,
  TopologyError,
  ConfigError,
  SerializationError,
  InvalidStateStoreError,
  CorruptedStateError,
  TaskMigratedError,
  ProcessingError,
  ProductionError,
  KafkaClientError,
  IllegalStateError,
} from './errors/streams-error.js';
export type { ErrorContext, StreamsErrorOptions } from './errors/streams-error.js';
export { AsyncProcessingError } from './errors/async-processing-error.js';
