/**
 * Context attached to an error so that a user can find and fix the cause: where a bad record sits, which config
 * field is wrong, which node or store is involved.
 */
export interface ErrorContext {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly taskId?: string;
  readonly node?: string;
  readonly store?: string;
  readonly field?: string;
  readonly [key: string]: unknown;
}

/** Options for every error of the hierarchy. */
export interface StreamsErrorOptions {
  readonly cause?: unknown;
  readonly context?: ErrorContext;
}

/**
 * Root of Kaskade's error hierarchy. Every error has a stable `code` (one per class) and the context needed to fix
 * its cause.
 *
 * @see org.apache.kafka.streams.errors.StreamsException
 */
export class StreamsError extends Error {
  /** Stable, machine-readable code; each subclass has its own. */
  readonly code: string = 'KASKADE_STREAMS_ERROR';
  readonly context: ErrorContext;

  constructor(message: string, options: StreamsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

/** A topology is malformed: unknown parent, duplicate name, unconnected store, ... */
export class TopologyError extends StreamsError {
  override readonly code: string = 'KASKADE_TOPOLOGY_ERROR';
}

/** Configuration is invalid; the message lists every bad field. */
export class ConfigError extends StreamsError {
  override readonly code: string = 'KASKADE_CONFIG_ERROR';
  /** One entry per bad field: the field's path and why it is wrong. */
  readonly issues: readonly { readonly field: string; readonly message: string }[];

  constructor(
    message: string,
    issues: readonly { readonly field: string; readonly message: string }[],
    options: StreamsErrorOptions = {},
  ) {
    super(message, options);
    this.issues = issues;
  }
}

/** A key or value could not be serialized or deserialized. Carries topic, partition and offset when known. */
export class SerializationError extends StreamsError {
  override readonly code: string = 'KASKADE_SERIALIZATION_ERROR';
}

/** A state store is not available now (not running, restoring, closed, or unknown). */
export class InvalidStateStoreError extends StreamsError {
  override readonly code: string = 'KASKADE_INVALID_STATE_STORE';
}

/** A store's on-disk state is unusable and must be rebuilt from its changelog. */
export class CorruptedStateError extends StreamsError {
  override readonly code: string = 'KASKADE_CORRUPTED_STATE';
}

/** A task is no longer owned by this instance (rebalance, fencing); its work must be dropped. */
export class TaskMigratedError extends StreamsError {
  override readonly code: string = 'KASKADE_TASK_MIGRATED';
}

/** A user processor threw while processing a record. */
export class ProcessingError extends StreamsError {
  override readonly code: string = 'KASKADE_PROCESSING_ERROR';
}

/** Records could not be produced (delivery failed). */
export class ProductionError extends StreamsError {
  override readonly code: string = 'KASKADE_PRODUCTION_ERROR';
}

/** The Kafka client reported an error (admin, consumer, producer, transactions). */
export class KafkaClientError extends StreamsError {
  override readonly code: string = 'KASKADE_KAFKA_CLIENT_ERROR';
}

/** An operation is not allowed in the current lifecycle state. */
export class IllegalStateError extends StreamsError {
  override readonly code: string = 'KASKADE_ILLEGAL_STATE';
}
