import type { ConsumedRecord } from '@kaskade/processor-api';
import { consoleLogger } from '../config/logger.js';
import type { Logger } from '../config/logger.js';
import { ExtractRecordMetadataTimestamp } from './extract-record-metadata-timestamp.js';

/**
 * Uses the record's own timestamp; a record with a negative timestamp is logged (warn) and skipped: the extractor
 * returns the negative value, so the runtime drops the record and counts it.
 *
 * @see org.apache.kafka.streams.processor.LogAndSkipOnInvalidTimestamp
 */
export class LogAndSkipOnInvalidTimestamp extends ExtractRecordMetadataTimestamp {
  readonly #logger: Logger;

  /** @param logger where skipped records are reported; a console logger by default */
  constructor(logger: Logger = consoleLogger()) {
    super();
    this.#logger = logger;
  }

  protected override onInvalidTimestamp(record: ConsumedRecord, recordTimestamp: number): number {
    this.#logger.warn(
      `record at topic "${record.topic}" partition ${record.partition} offset ${record.offset} is skipped: ` +
        `its timestamp ${recordTimestamp} is invalid (negative)`,
      { topic: record.topic, partition: record.partition, offset: record.offset, timestamp: recordTimestamp },
    );
    return recordTimestamp;
  }
}
