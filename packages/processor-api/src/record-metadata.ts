/**
 * Where the record being processed came from. Absent (null) inside a punctuation or for records that did not come
 * from a source topic.
 *
 * @see org.apache.kafka.streams.processor.api.RecordMetadata
 */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}
