import type { Logger } from '../config/logger.js';

/** Options of the built-in deserialization and processing exception handlers. */
export interface BuiltInHandlerOptions {
  /** Where the handler logs each failed record; a console logger (info and above) by default. */
  readonly logger?: Logger;
  /**
   * When set, the handler also returns a dead-letter record for the failed source record, to be written to this topic
   * (Kafka's `errors.dead.letter.queue.topic.name`, KIP-1034).
   */
  readonly deadLetterQueueTopic?: string;
}
