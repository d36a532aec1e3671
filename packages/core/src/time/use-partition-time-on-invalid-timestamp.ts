import type { ConsumedRecord } from '@kaskade/processor-api';
import { InvalidTimestampError } from '../errors/invalid-timestamp-error.js';
import { ExtractRecordMetadataTimestamp } from './extract-record-metadata-timestamp.js';

/**
 * Uses the record's own timestamp; a record with a negative timestamp gets the partition time instead (the largest
 * timestamp seen so far on its partition). If the partition has no time yet (the record is the first one since the
 * task started), it stops the application with an {@link InvalidTimestampError}.
 *
 * @see org.apache.kafka.streams.processor.UsePartitionTimeOnInvalidTimestamp
 */
export class UsePartitionTimeOnInvalidTimestamp extends ExtractRecordMetadataTimestamp {
  protected override onInvalidTimestamp(
    record: ConsumedRecord,
    recordTimestamp: number,
    partitionTimeMs: number,
  ): number {
    if (partitionTimeMs >= 0) return partitionTimeMs;
    throw new InvalidTimestampError(
      `record at topic "${record.topic}" partition ${record.partition} offset ${record.offset} has an invalid ` +
        `(negative) timestamp ${recordTimestamp} and there is no partition time yet to use instead; ` +
        'use another timestamp extractor (LogAndSkipOnInvalidTimestamp or your own) to process this data',
      { context: { topic: record.topic, partition: record.partition, offset: record.offset } },
    );
  }
}
