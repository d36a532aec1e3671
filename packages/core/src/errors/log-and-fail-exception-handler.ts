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
 * Logs the error and stops the application (`FAIL`). The default deserialization and processing exception handler.
 * With a dead-letter topic configured, the failed record also goes there before the application stops.
 *
 * @see org.apache.kafka.streams.errors.LogAndFailExceptionHandler
 * @see org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler
 */
export class LogAndFailExceptionHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {
  readonly #logger: Logger;
  readonly #deadLetterQueueTopic: string | undefined;

  constructor(options: BuiltInHandlerOptions = {}) {
    this.#logger = options.logger ?? consoleLogger();
    this.#deadLetterQueueTopic = options.deadLetterQueueTopic;
  }

  handle(context: ErrorHandlerContext, record: RawSourceRecord, error: Error): HandlerResponse {
    const { message, fields } = describeFailure(context, error, this.#deadLetterQueueTopic);
    this.#logger.error(`${message}; stopping the application (logAndFail)`, fields);
    if (this.#deadLetterQueueTopic === undefined) return { action: 'FAIL' };
    return { action: 'FAIL', deadLetterRecords: [deadLetterRecordFor(record, error, this.#deadLetterQueueTopic)] };
  }
}
