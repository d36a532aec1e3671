import { consoleLogger } from '../config/logger.js';
import type { Logger } from '../config/logger.js';
import type { BuiltInHandlerOptions } from './built-in-handler-options.js';
import type { HandlerResponse, ProductionErrorContext, ProductionExceptionHandler } from './exception-handlers.js';
import { describeProductionFailure, productionDeadLetters } from './production-dead-letters.js';

/**
 * Logs the error as a warning and drops the output record (`CONTINUE`; counted in `droppedByReason` as
 * `serialization-error` or `production-error`) when a sink cannot serialize it or the broker refuses it for good (too
 * large, topic missing or not authorized). With a dead-letter topic configured, the source record whose processing
 * produced it goes there, with the `__streams.errors.*` headers, so nothing is lost and the application stays up.
 * Configured as `productionExceptionHandler: 'logAndContinue'`.
 *
 * Kafka Streams ships no such class (users write one); this is that handler, with KIP-1034's dead letters.
 * @see org.apache.kafka.streams.errors.ProductionExceptionHandler
 */
export class LogAndContinueProductionExceptionHandler implements ProductionExceptionHandler {
  readonly #logger: Logger;
  readonly #deadLetterQueueTopic: string | undefined;

  constructor(options: BuiltInHandlerOptions = {}) {
    this.#logger = options.logger ?? consoleLogger();
    this.#deadLetterQueueTopic = options.deadLetterQueueTopic;
  }

  handle(context: ProductionErrorContext, error: Error): HandlerResponse {
    return this.#continue(context, error);
  }

  handleSerializationException(context: ProductionErrorContext, error: Error): HandlerResponse {
    return this.#continue(context, error);
  }

  #continue(context: ProductionErrorContext, error: Error): HandlerResponse {
    const { message, fields } = describeProductionFailure(context, error, this.#deadLetterQueueTopic);
    this.#logger.warn(`${message}; dropping the output record (logAndContinue)`, fields);
    const deadLetterRecords = productionDeadLetters(context, error, this.#deadLetterQueueTopic);
    return deadLetterRecords.length === 0 ? { action: 'CONTINUE' } : { action: 'CONTINUE', deadLetterRecords };
  }
}
