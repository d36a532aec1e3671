import type { ConsumedRecord, TimestampExtractor } from '@kaskade/processor-api';

/**
 * Base of the extractors that use the record's own timestamp (the producer's create time, or the broker's
 * log-append time, depending on the topic's `message.timestamp.type`). A valid (non-negative) timestamp is returned
 * as is; a negative one is handed to {@link onInvalidTimestamp}, which decides.
 *
 * What an extractor returns, the runtime does:
 * - a timestamp >= 0 becomes the record's event time;
 * - a negative number means "skip this record": the runtime drops it (counting it in a metric) and moves on;
 * - a thrown error stops the application (state ERROR) with that error.
 *
 * @see org.apache.kafka.streams.processor.ExtractRecordMetadataTimestamp
 */
export abstract class ExtractRecordMetadataTimestamp implements TimestampExtractor {
  extract(record: ConsumedRecord, partitionTimeMs: number): number {
    const timestamp = record.timestamp;
    return timestamp < 0 ? this.onInvalidTimestamp(record, timestamp, partitionTimeMs) : timestamp;
  }

  /**
   * Called for a record whose own timestamp is negative.
   *
   * @param record the record
   * @param recordTimestamp its (negative) timestamp
   * @param partitionTimeMs the largest timestamp seen so far on its partition, or -1 when none yet
   * @returns the timestamp to use, or a negative number to skip the record
   */
  protected abstract onInvalidTimestamp(
    record: ConsumedRecord,
    recordTimestamp: number,
    partitionTimeMs: number,
  ): number;
}
