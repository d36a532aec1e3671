import type { HandlerResponse, ProductionExceptionHandler } from './exception-handlers.js';

const FAIL: HandlerResponse = Object.freeze({ action: 'FAIL' });

/**
 * Stops the application (`FAIL`) when a record cannot be serialized or delivered by a sink. The default production
 * exception handler; the runtime reports the error when it moves to the ERROR state.
 *
 * @see org.apache.kafka.streams.errors.DefaultProductionExceptionHandler
 */
export class DefaultProductionExceptionHandler implements ProductionExceptionHandler {
  handle(): HandlerResponse {
    return FAIL;
  }
}
