import { StreamsError } from '@kaskade/processor-api';
import type { ErrorFields } from './thread-messages.js';

/**
 * A stream thread (`numStreamThreads` > 1) failed: its worker could not load the application module, its start
 * failed, its processing went to ERROR, or the worker itself died. The message is the thread's own error's;
 * `context.thread` names the thread (1-based), `context.causeName` and `context.causeCode` the original error's class
 * and code (e.g. `StartTimeoutError`, `KASKADE_KAFKA_CLIENT_ERROR`), and `stack` is the worker's.
 */
export class StreamThreadError extends StreamsError {
  override readonly code: string = 'KASKADE_STREAM_THREAD';

  constructor(thread: number, cause: ErrorFields) {
    super(`stream thread ${thread}: ${cause.message}`, {
      context: { thread, causeName: cause.name, ...(cause.code === undefined ? {} : { causeCode: cause.code }) },
    });
    if (cause.stack !== undefined) this.stack = `${this.name}: ${this.message}\n(in the worker) ${cause.stack}`;
  }
}
