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

/**
 * Decides what happens when a record cannot be serialized or delivered by a sink.
 *
 * @see org.apache.kafka.streams.errors.ProductionExceptionHandler
 */
export interface ProductionExceptionHandler {
  handle(context: { readonly topic: string; readonly partition?: number }, error: Error): HandlerResponse;
}
