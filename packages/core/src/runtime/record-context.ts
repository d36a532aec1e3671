import type { RecordMetadata } from '@kaskade/processor-api';
import type { ConsumedMessage } from '../kafka/kafka-types.js';

/**
 * Where the record being processed came from, and which node has it now: one per task, updated as records and
 * punctuations pass (fields, not a fresh object per record), and read by the nodes, the processors' contexts and the
 * stores (a changelog record carries the timestamp of the record that caused the write).
 *
 * @see org.apache.kafka.streams.processor.internals.ProcessorRecordContext
 */
export class RecordContext {
  /** The node the record is in (its processor runs, its sink serializes). */
  nodeName = '';
  /** Undefined in a punctuation: no input record. */
  topic: string | undefined = undefined;
  partition = -1;
  offset = -1;
  /** Timestamp of the record being processed, or stream time in a punctuation. */
  timestamp = -1;
  /** The raw input message (asynchronous work keeps it for the processing exception handler and dead letters). */
  message: ConsumedMessage | undefined = undefined;

  /** Topic, partition and offset of the input record, or null in a punctuation. */
  metadata(): RecordMetadata | null {
    return this.topic === undefined ? null : { topic: this.topic, partition: this.partition, offset: this.offset };
  }
}
