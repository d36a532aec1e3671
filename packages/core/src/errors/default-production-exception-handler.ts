import type { BuiltInHandlerOptions } from './built-in-handler-options.js';
import type { HandlerResponse, ProductionErrorContext, ProductionExceptionHandler } from './exception-handlers.js';
import { productionDeadLetters } from './production-dead-letters.js';

const FAIL: HandlerResponse = Object.freeze({ action: 'FAIL' });

/**
 * Stops the application (`FAIL`) when a record cannot be serialized or delivered by a sink. The default production
 * exception handler; the runtime reports the error when it moves to the ERROR state. With a dead-letter topic
 * configured, the source record also goes there first (as Kafka Streams 4 does; under exactly-once the failing
 * transaction is aborted, dead letter included).
 *
 * @see org.apache.kafka.streams.errors.DefaultProductionExceptionHandler
 */
export class DefaultProductionExceptionHandler implements ProductionExceptionHandler {
  readonly #deadLetterQueueTopic: string | undefined;

  constructor(options: Pick<BuiltInHandlerOptions, 'deadLetterQueueTopic'> = {}) {
    this.#deadLetterQueueTopic = options.deadLetterQueueTopic;
  }

  handle(context?: ProductionErrorContext, error?: Error): HandlerResponse {
    return this.#fail(context, error);
  }

  handleSerializationException(context: ProductionErrorContext, error: Error): HandlerResponse {
    return this.#fail(context, error);
  }

  #fail(context: ProductionErrorContext | undefined, error: Error | undefined): HandlerResponse {
    if (context === undefined || error === undefined) return FAIL;
    const deadLetterRecords = productionDeadLetters(context, error, this.#deadLetterQueueTopic);
    return deadLetterRecords.length === 0 ? FAIL : { action: 'FAIL', deadLetterRecords };
  }
}
