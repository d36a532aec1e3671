import { StreamsError } from '@kaskade/processor-api';

/**
 * A record has no usable timestamp: its timestamp is negative and the configured extractor does not skip such
 * records or replace the timestamp. The context names the record's topic, partition and offset.
 *
 * @see org.apache.kafka.streams.processor.FailOnInvalidTimestamp
 */
export class InvalidTimestampError extends StreamsError {
  override readonly code: string = 'KASKADE_INVALID_TIMESTAMP';
}
