import type { ConsumedRecord } from '@kaskade/processor-api';
import { InvalidTimestampError } from '../errors/invalid-timestamp-error.js';
import { ExtractRecordMetadataTimestamp } from './extract-record-metadata-timestamp.js';

/**
 * Uses the record's own timestamp and stops the application (with an {@link InvalidTimestampError}) on a negative
 * one. The default timestamp extractor.
 *
 * A negative timestamp usually means the record was written by a producer that did not set one. To process such
 * data, configure {@link LogAndSkipOnInvalidTimestamp}, {@link UsePartitionTimeOnInvalidTimestamp} or an extractor of
 * your own.
 *
 * @see org.apache.kafka.streams.processor.FailOnInvalidTimestamp
 */
export class RecordTimestampExtractor extends ExtractRecordMetadataTimestamp {
  protected override onInvalidTimestamp(record: ConsumedRecord, recordTimestamp: number): number {
    throw new InvalidTimestampError(
      `record at topic "${record.topic}" partition ${record.partition} offset ${record.offset} has an invalid ` +
        `(negative) timestamp ${recordTimestamp}; it was probably written by a producer that does not set ` +
        'timestamps. Use another timestamp extractor (LogAndSkipOnInvalidTimestamp, ' +
        'UsePartitionTimeOnInvalidTimestamp or your own) to process this data',
      { context: { topic: record.topic, partition: record.partition, offset: record.offset } },
    );
  }
}
