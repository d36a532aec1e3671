import { SerializationError, StreamsError } from '@kaskade/processor-api';
import type { StreamsErrorOptions } from '@kaskade/processor-api';

/**
 * Why a talk with the schema registry failed while a serde was being prepared:
 * - `INCOMPATIBLE_SCHEMA`: the registry refused to register the schema under the subject (its compatibility rule);
 * - `SCHEMA_NOT_REGISTERED`: auto-registration is off and the subject has no such schema (or no such subject);
 * - `INVALID_SCHEMA`: the registry or avsc found the schema malformed;
 * - `REGISTRY_UNREACHABLE`: no HTTP answer from the registry (wrong URL, registry down);
 * - `REGISTRY_ERROR`: any other error answer of the registry (the message has its status and text).
 */
export type SchemaRegistryErrorReason =
  'INCOMPATIBLE_SCHEMA' | 'SCHEMA_NOT_REGISTERED' | 'INVALID_SCHEMA' | 'REGISTRY_UNREACHABLE' | 'REGISTRY_ERROR';

/**
 * A registry-aware serde could not be prepared. Its context names the subject (and topic, schema id and registry URL
 * where they are known).
 */
export class SchemaRegistryError extends StreamsError {
  override readonly code: string = 'KASKADE_SCHEMA_REGISTRY_ERROR';
  /** Stable, machine-readable reason. */
  readonly reason: SchemaRegistryErrorReason;

  constructor(reason: SchemaRegistryErrorReason, message: string, options: StreamsErrorOptions = {}) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * Why a record's bytes could not be read or written in the registry's wire format:
 * - `UNKNOWN_MAGIC_BYTE`: the first byte is not 0, so the record was not written in the Confluent wire format;
 * - `TOO_SHORT`: fewer than the 5 bytes of magic byte and schema id;
 * - `UNKNOWN_SCHEMA_ID`: the writer's schema id is not one the serde knows (see the message for whether the registry
 *   has it);
 * - `SUBJECT_NOT_PREPARED`: a value for a topic whose subject was not prepared (list the topic in `topics`).
 *
 * These are {@link SerializationError}s, so a record that fails this way goes to the deserialization (or production)
 * exception handler.
 */
export type WireFormatErrorReason = 'UNKNOWN_MAGIC_BYTE' | 'TOO_SHORT' | 'UNKNOWN_SCHEMA_ID' | 'SUBJECT_NOT_PREPARED';

/** A record's bytes do not fit the registry's wire format, or name a schema the serde does not know. */
export class SchemaRegistryWireFormatError extends SerializationError {
  override readonly code: string = 'KASKADE_SCHEMA_REGISTRY_WIRE_FORMAT_ERROR';
  /** Stable, machine-readable reason. */
  readonly reason: WireFormatErrorReason;

  constructor(reason: WireFormatErrorReason, message: string, options: StreamsErrorOptions = {}) {
    super(message, options);
    this.reason = reason;
  }
}
