import { Headers } from '@kaskade/processor-api';
import type { RecordMetadata } from '@kaskade/processor-api';
import type { RawSourceRecord } from '../errors/exception-handlers.js';
import type { ConsumedMessage } from '../kafka/kafka-types.js';
import { fromWireHeaders } from '../kafka/message-headers.js';

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
  /**
   * The raw input message (asynchronous work keeps it for the processing exception handler and dead letters; a
   * production error hands it to its handler as the raw source record).
   */
  message: ConsumedMessage | undefined = undefined;

  /** Topic, partition and offset of the input record, or null in a punctuation. */
  metadata(): RecordMetadata | null {
    return this.topic === undefined ? null : { topic: this.topic, partition: this.partition, offset: this.offset };
  }

  /**
   * The input record as consumed — raw key, value and headers — or undefined in a punctuation. Built only when asked
   * (a production error), so the hot path pays nothing for it; the headers are read from the message again, as
   * consumed (a processor may have changed the record's), and right for asynchronous results applied later too.
   */
  rawSource(): RawSourceRecord | undefined {
    const m = this.message;
    if (this.topic === undefined || m === undefined) return undefined;
    return rawSourceRecord(m, m.headers === undefined ? Headers.EMPTY : fromWireHeaders(m.headers));
  }
}

/** A consumed message as the exception handlers see it: raw key and value, deserialized headers. */
export function rawSourceRecord(m: ConsumedMessage, headers: Headers): RawSourceRecord {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    timestamp: m.timestamp ?? -1,
    key: (m.key as Buffer | null | undefined) ?? null,
    value: m.value,
    headers,
  };
}
