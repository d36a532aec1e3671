import { SerializationError } from '@kaskade/processor-api';
import type { ErrorContext } from '@kaskade/processor-api';

/** Which way a serde failed. */
export type SerdeOperation = 'serialize' | 'deserialize';

/**
 * The error every built-in serde throws: `cannot <operation> value as <format>: <reason>`, with the topic in its
 * context and the underlying error (if any) as its `cause`. The runtime adds partition and offset when it wraps it.
 */
export function serdeError(
  operation: SerdeOperation,
  format: string,
  topic: string,
  reason: string,
  cause?: unknown,
  context?: ErrorContext,
): SerializationError {
  return new SerializationError(`cannot ${operation} value as ${format}: ${reason}`, {
    cause,
    context: { ...context, topic },
  });
}

/** A short, printable description of a value of the wrong type, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
    case 'number':
      return `the number ${Object.is(value, -0) ? '-0' : String(value)}`;
    case 'bigint':
      return `the bigint ${value}n`;
    case 'object':
      return Array.isArray(value) ? 'an array' : `an object (${value.constructor?.name ?? 'null prototype'})`;
    default:
      return `a ${typeof value}`;
  }
}

/** Throws unless `data` has exactly `size` bytes (fixed-width number serdes). */
export function checkSize(format: string, topic: string, data: Buffer, size: number): void {
  if (data.length !== size) {
    throw serdeError('deserialize', format, topic, `expected ${size} bytes, got ${data.length}`);
  }
}
