import { taskIdToString } from '@kaskade/processor-api';
import type { LogFields } from '../config/logger.js';
import type { ErrorHandlerContext } from './exception-handlers.js';

/** The log line and fields that the built-in handlers write for a failed record. */
export function describeFailure(
  context: ErrorHandlerContext,
  error: Error,
  deadLetterQueueTopic: string | undefined,
): { message: string; fields: LogFields } {
  const taskId = taskIdToString(context.taskId);
  const where = `record at topic "${context.topic}" partition ${context.partition} offset ${context.offset}`;
  const dlq = deadLetterQueueTopic === undefined ? '' : `; writing it to dead-letter topic "${deadLetterQueueTopic}"`;
  return {
    message: `${where} failed in node "${context.nodeName}" (task ${taskId}): ${error.message}${dlq}`,
    fields: {
      taskId,
      nodeName: context.nodeName,
      topic: context.topic,
      partition: context.partition,
      offset: context.offset,
      error,
      ...(deadLetterQueueTopic === undefined ? {} : { deadLetterQueueTopic }),
    },
  };
}
