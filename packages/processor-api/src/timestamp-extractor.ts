import type { Headers } from './headers.js';

/** What a timestamp extractor sees of a consumed record (after deserialization). */
export interface ConsumedRecord<K = unknown, V = unknown> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The record's own timestamp (create time or log-append time). */
  readonly timestamp: number;
  readonly key: K;
  readonly value: V;
  readonly headers: Headers;
}

/**
 * Gives a record its event time. The default uses the record's own timestamp. A negative result means "invalid":
 * what happens then is the extractor's choice (fail, skip, or use partition time); see the core package's
 * extractors.
 *
 * @see org.apache.kafka.streams.processor.TimestampExtractor
 */
export interface TimestampExtractor {
  /**
   * @param record the consumed record
   * @param partitionTimeMs the largest timestamp seen so far on this partition, or -1 when none yet
   */
  extract(record: ConsumedRecord, partitionTimeMs: number): number;
}
