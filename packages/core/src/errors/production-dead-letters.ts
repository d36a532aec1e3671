import { taskIdToString } from '@kaskade/processor-api';
import type { LogFields } from '../config/logger.js';
import { deadLetterRecordFor } from './dead-letter-record.js';
import type { DeadLetterRecord, ProductionErrorContext } from './exception-handlers.js';

/**
 * The dead letter of a production error: the source record whose processing produced the failed output — its raw key
 * and value as consumed, with the `__streams.errors.*` headers — as Kafka Streams' default production handler builds
 * it (KIP-1034). None without a dead-letter topic, or without a source record (an output of a punctuation).
 */
export function productionDeadLetters(
  context: ProductionErrorContext,
  error: Error,
  deadLetterQueueTopic: string | undefined,
): readonly DeadLetterRecord[] {
  if (deadLetterQueueTopic === undefined || context.sourceRecord === undefined) return [];
  return [deadLetterRecordFor(context.sourceRecord, error, deadLetterQueueTopic)];
}

/** The log line and fields that the built-in production handlers write for a failed output record. */
export function describeProductionFailure(
  context: ProductionErrorContext,
  error: Error,
  deadLetterQueueTopic: string | undefined,
): { message: string; fields: LogFields } {
  const s = context.sourceRecord;
  const from =
    s === undefined ? 'a punctuation' : `record at topic "${s.topic}" partition ${s.partition} offset ${s.offset}`;
  const task = context.taskId === undefined ? '' : ` (task ${taskIdToString(context.taskId)})`;
  const node = context.nodeName === undefined ? '' : ` in sink "${context.nodeName}"`;
  const dlq =
    deadLetterQueueTopic !== undefined && s !== undefined
      ? `; writing the source record to dead-letter topic "${deadLetterQueueTopic}"`
      : '';
  return {
    message: `the output of ${from} to topic "${context.topic}" failed${node}${task}: ${error.message}${dlq}`,
    fields: {
      topic: context.topic,
      ...(context.taskId === undefined ? {} : { taskId: taskIdToString(context.taskId) }),
      ...(context.nodeName === undefined ? {} : { nodeName: context.nodeName }),
      ...(s === undefined ? {} : { sourceTopic: s.topic, sourcePartition: s.partition, sourceOffset: s.offset }),
      error,
      ...(deadLetterQueueTopic === undefined ? {} : { deadLetterQueueTopic }),
    },
  };
}
