import type { Headers, TaskId } from '@kaskade/processor-api';

/** The raw bytes of a consumed record, as they were on the source topic. */
export interface RawSourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
}

/** Where an error happened. */
export interface ErrorHandlerContext {
  readonly taskId: TaskId;
  /** The processor node that threw (processing errors) or the source node (deserialization errors). */
  readonly nodeName: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A record the handler wants written to a dead-letter topic. */
export interface DeadLetterRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
}

/**
 * What to do after an error: `FAIL` stops the application (state ERROR, with the cause); `CONTINUE` skips the record
 * (counted in a metric). Either may also send records to dead-letter topics.
 */
export interface HandlerResponse {
  readonly action: 'FAIL' | 'CONTINUE';
  readonly deadLetterRecords?: readonly DeadLetterRecord[];
}

/**
 * Decides what happens to a record whose key or value cannot be deserialized.
 *
 * @see org.apache.kafka.streams.errors.DeserializationExceptionHandler
 */
export interface DeserializationExceptionHandler {
  handle(context: ErrorHandlerContext, record: RawSourceRecord, error: Error): HandlerResponse;
}

/**
 * Decides what happens when a processor throws while processing a record.
 *
 * @see org.apache.kafka.streams.errors.ProcessingExceptionHandler
 */
export interface ProcessingExceptionHandler {
  handle(context: ErrorHandlerContext, record: RawSourceRecord, error: Error): HandlerResponse;
}

/** The source record being processed when a production error happened (absent in a punctuation). */
export interface SourceRecordContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * Where a production error happened: the output `topic` (and `partition` once known), and — when the runtime knows
 * it — the task, the node and the source record whose processing produced the failed record, with its raw key, value
 * and headers as consumed (Kafka Streams' `sourceRawKey`/`sourceRawValue`, KIP-1034), so that a handler can write it
 * to a dead-letter topic (`deadLetterRecordFor(context.sourceRecord, error, topic)`). A failure reported by
 * the broker long after the send (a delivery report) first rewinds the tasks to their last commit (see
 * `ProductionExceptionHandler`), so the handler sees it again with the source record's context.
 */
export interface ProductionErrorContext {
  readonly topic: string;
  readonly partition?: number;
  readonly taskId?: TaskId;
  /** The sink node (or, for a dead-letter record, the node whose handler produced it). */
  readonly nodeName?: string;
  readonly sourceRecord?: RawSourceRecord;
}

/**
 * Decides what happens when a record cannot be serialized or delivered by a sink: `FAIL` stops the application
 * (state ERROR, with the cause), `CONTINUE` drops the record (counted in `droppedByReason`) and goes on.
 *
 * A send that fails for good — the topic does not exist or is not authorized, the record is larger than the
 * producer's `message.max.bytes` or the topic's `max.message.bytes` — reaches `handle` with the source record's
 * context: when the client refuses it at once, directly; when the broker refuses it later, the runtime remembers
 * the topic (or the size limit), rewinds the tasks to their last commit (aborting the transaction under
 * exactly-once) and processes the input again, and the record is refused before it is sent.
 *
 * @see org.apache.kafka.streams.errors.ProductionExceptionHandler
 */
export interface ProductionExceptionHandler {
  handle(context: ProductionErrorContext, error: Error): HandlerResponse;
  /**
   * A sink's key or value serializer threw (KIP-399). Without this method the record fails the application, as
   * Kafka Streams' default does. Never goes to the processing exception handler.
   */
  handleSerializationException?(
    context: ProductionErrorContext,
    error: Error,
    origin: 'KEY' | 'VALUE',
  ): HandlerResponse;
}
