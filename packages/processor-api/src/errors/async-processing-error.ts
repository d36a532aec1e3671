import { StreamsError } from './streams-error.js';

/**
 * An asynchronous call failed on every attempt (or timed out). It goes to the processing exception handler with the
 * record; its `cause` is the last attempt's error and its context names the node, the record and the attempts.
 */
export class AsyncProcessingError extends StreamsError {
  override readonly code: string = 'KASKADE_ASYNC_PROCESSING_ERROR';
}
