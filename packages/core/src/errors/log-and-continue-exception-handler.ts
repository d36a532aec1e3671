import { consoleLogger } from '../config/logger.js';
import type { Logger } from '../config/logger.js';
import type { BuiltInHandlerOptions } from './built-in-handler-options.js';
import { deadLetterRecordFor } from './dead-letter-record.js';
import type {
  DeserializationExceptionHandler,
  ErrorHandlerContext,
  HandlerResponse,
  ProcessingExceptionHandler,
  RawSourceRecord,
} from './exception-handlers.js';
import { describeFailure } from './log-fields.js';

/**
 * Logs the error as a warning and skips the record (`CONTINUE`; the runtime counts it). With a dead-letter topic
 * configured, the skipped record goes there, so nothing is lost.
 *
 * @see org.apache.kafka.streams.errors.LogAndContinueExceptionHandler
 * @see org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler
 */
export class LogAndContinueExceptionHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {
  readonly #logger: Logger;
  readonly #deadLetterQueueTopic: string | undefined;

  constructor(options: BuiltInHandlerOptions = {}) {
    this.#logger = options.logger ?? consoleLogger();
    this.#deadLetterQueueTopic = options.deadLetterQueueTopic;
  }

  handle(context: ErrorHandlerContext, record: RawSourceRecord, error: Error): HandlerResponse {
    const { message, fields } = describeFailure(context, error, this.#deadLetterQueueTopic);
    this.#logger.warn(`${message}; skipping the record (logAndContinue)`, fields);
    if (this.#deadLetterQueueTopic === undefined) return { action: 'CONTINUE' };
    return { action: 'CONTINUE', deadLetterRecords: [deadLetterRecordFor(record, error, this.#deadLetterQueueTopic)] };
  }
}
