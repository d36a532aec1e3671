import type { DeadLetterRecord, RawSourceRecord } from './exception-handlers.js';

/**
 * The header keys of a dead-letter record, as Kafka Streams writes them (KIP-1034), so tools built for Kafka Streams'
 * dead-letter topics read Kaskade's too.
 */
export const DeadLetterHeaders = Object.freeze({
  /** The error's class name. */
  EXCEPTION: '__streams.errors.exception',
  /** The error's message. */
  MESSAGE: '__streams.errors.message',
  /** The error's stack trace, followed by the stack of each `cause` (`Caused by: ...`). */
  STACKTRACE: '__streams.errors.stacktrace',
  /** The source record's topic. */
  TOPIC: '__streams.errors.topic',
  /** The source record's partition, in decimal. */
  PARTITION: '__streams.errors.partition',
  /** The source record's offset, in decimal. */
  OFFSET: '__streams.errors.offset',
});

/** At most this many `cause` links are followed: causes can form a cycle. */
const MAX_CAUSES = 10;

/**
 * A dead-letter record for a source record that failed: the raw key and value bytes unchanged, the original headers
 * first, then the error and the record's origin in the KIP-1034 headers ({@link DeadLetterHeaders}).
 *
 * The built-in handlers use it when `deadLetterQueueTopic` is configured; custom handlers can too:
 *
 * ```ts
 * handle(context, record, error) {
 *   return { action: 'CONTINUE', deadLetterRecords: [deadLetterRecordFor(record, error, 'orders-dlq')] };
 * }
 * ```
 * @see org.apache.kafka.streams.errors.ExceptionHandlerUtils (KIP-1034)
 */
export function deadLetterRecordFor(record: RawSourceRecord, error: Error, deadLetterTopic: string): DeadLetterRecord {
  const headers = record.headers
    .add(DeadLetterHeaders.EXCEPTION, errorClassName(error))
    .add(DeadLetterHeaders.MESSAGE, String(error.message))
    .add(DeadLetterHeaders.STACKTRACE, stackTraceOf(error))
    .add(DeadLetterHeaders.TOPIC, record.topic)
    .add(DeadLetterHeaders.PARTITION, String(record.partition))
    .add(DeadLetterHeaders.OFFSET, String(record.offset));
  return { topic: deadLetterTopic, key: record.key, value: record.value, headers };
}

function errorClassName(error: Error): string {
  const ctor: unknown = (error as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : error.name;
}

/** Like Java's printed stack trace: the error's stack, then `Caused by: <stack>` for each cause. */
function stackTraceOf(error: Error): string {
  let text = error.stack ?? `${error.name}: ${error.message}`;
  let cause: unknown = error.cause;
  for (let depth = 0; cause !== undefined && depth < MAX_CAUSES; depth++) {
    text += `\nCaused by: ${cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause)}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return text;
}
