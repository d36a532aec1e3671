import { ProcessingError, ProductionError, SerializationError, StreamsError } from '@kaskade/processor-api';
import type { Headers, TaskId } from '@kaskade/processor-api';
import type { HandlerResponse, RawSourceRecord, SourceRecordContext } from '../errors/exception-handlers.js';
import { UndeliverableRecordError } from '../errors/undeliverable-record-error.js';
import type { ConsumedMessage } from '../kafka/kafka-types.js';
import type { RecordContext } from './record-context.js';
import type { TaskEnvironment } from './task-environment.js';
import type { TaskMetrics } from './task-metrics.js';

const FAIL_RESPONSE: HandlerResponse = Object.freeze({ action: 'FAIL' });

/**
 * A task's answers to records that fail: asks the configured exception handler (deserialization, processing,
 * production), sends the dead letters it returns, counts what is skipped or dropped, and throws an error naming the
 * record when the handler says FAIL.
 */
export class RecordErrorHandler {
  readonly #taskIdString: string;
  readonly #taskId: TaskId;
  readonly #env: TaskEnvironment;
  /** The record being processed. */
  readonly context: RecordContext;
  /** The task's counters. */
  readonly metrics: TaskMetrics;
  readonly #recordDropped: (reason: string) => void;

  constructor(
    taskIdString: string,
    taskId: TaskId,
    env: TaskEnvironment,
    context: RecordContext,
    metrics: TaskMetrics,
    recordDropped: (reason: string) => void,
  ) {
    this.#taskIdString = taskIdString;
    this.#taskId = taskId;
    this.#env = env;
    this.context = context;
    this.metrics = metrics;
    this.#recordDropped = recordDropped;
  }

  #raw(m: ConsumedMessage, headers: Headers): RawSourceRecord {
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

  /** What an error about record `m` in node `nodeName` carries, to find the record. */
  #errorContext(m: ConsumedMessage, nodeName: string): { [key: string]: unknown } {
    return { topic: m.topic, partition: m.partition, offset: m.offset, taskId: this.#taskIdString, node: nodeName };
  }

  /** Asks the deserialization exception handler (see `DeserializationErrorHandler`). */
  handleDeserializationError(m: ConsumedMessage, headers: Headers, nodeName: string, e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    const context = { taskId: this.#taskId, nodeName, topic: m.topic, partition: m.partition, offset: m.offset };
    const response = this.#env.deserializationExceptionHandler.handle(context, this.#raw(m, headers), error);
    const source = { topic: m.topic, partition: m.partition, offset: m.offset };
    this.#applyResponse(
      response,
      m.timestamp,
      () => {
        throw new SerializationError(
          `cannot deserialize record ${m.topic}-${m.partition}@${m.offset} (source "${nodeName}", task ${this.#taskIdString}): ${error.message}`,
          { cause: error, context: this.#errorContext(m, nodeName) },
        );
      },
      source,
    );
  }

  /**
   * A processor failed on the record: asks the processing exception handler; throws when it says FAIL. `userError`:
   * the failure of an asynchronous call (an `AsyncProcessingError`), which the handler sees although it is a
   * `StreamsError`.
   */
  handleProcessingError(m: ConsumedMessage, headers: Headers, e: unknown, userError = false): void {
    const error = e instanceof Error ? e : new Error(String(e));
    const nodeName = this.context.nodeName;
    if (!userError && error instanceof StreamsError && !(error instanceof SerializationError)) {
      // Errors of the framework itself (a missing store, a closed store) are not the record's fault.
      throw error;
    }
    const context = { taskId: this.#taskId, nodeName, topic: m.topic, partition: m.partition, offset: m.offset };
    const response = this.#env.processingExceptionHandler.handle(context, this.#raw(m, headers), error);
    this.#applyResponse(response, m.timestamp, () => {
      throw new ProcessingError(
        `processor "${nodeName}" failed on record ${m.topic}-${m.partition}@${m.offset} (task ${this.#taskIdString}): ${error.message}`,
        { cause: error, context: this.#errorContext(m, nodeName) },
      );
    });
  }

  #applyResponse(
    response: HandlerResponse,
    timestamp: number | undefined,
    fail: () => never,
    source?: SourceRecordContext,
  ): void {
    this.#sendDeadLetters(response, timestamp, source);
    if (response.action === 'FAIL') fail();
    this.metrics.skippedRecords++;
  }

  #sendDeadLetters(response: HandlerResponse, timestamp: number | undefined, source?: SourceRecordContext): void {
    for (const r of response.deadLetterRecords ?? []) {
      try {
        this.#env.collector.send(r.topic, -1, r.key, r.value, timestamp ?? this.#env.wallClockMs(), r.headers);
      } catch (e) {
        if (!(e instanceof UndeliverableRecordError)) throw e;
        // A dead letter that cannot be delivered is a production error like any other (and is not counted as sent).
        this.handleProductionError(this.context.nodeName, r.topic, -1, e, undefined, source);
        continue;
      }
      this.metrics.deadLettered++;
    }
  }

  /**
   * A sink could not serialize a record (`origin` KEY or VALUE) or the record cannot be delivered: asks the production
   * exception handler. Returns when it says CONTINUE (the record is dropped); throws when it says FAIL. `sourceRecord`
   * names the input record when it is not the current one.
   */
  handleProductionError(
    nodeName: string,
    topic: string,
    partition: number,
    error: Error,
    origin: 'KEY' | 'VALUE' | undefined,
    sourceRecord?: SourceRecordContext,
  ): void {
    const handler = this.#env.productionExceptionHandler;
    // A dead letter of a record that failed deserialization names that record; everything else the current one.
    const source = sourceRecord ?? this.context.metadata() ?? undefined;
    const context = {
      topic,
      ...(partition >= 0 ? { partition } : {}),
      taskId: this.#taskId,
      nodeName,
      ...(source ? { sourceRecord: source } : {}),
    };
    let response: HandlerResponse;
    if (origin === undefined) response = handler ? handler.handle(context, error) : FAIL_RESPONSE;
    else response = handler?.handleSerializationException?.(context, error, origin) ?? FAIL_RESPONSE;
    const where = source
      ? `record ${source.topic}-${source.partition}@${source.offset} (task ${this.#taskIdString})`
      : `a punctuation of "${nodeName}" (task ${this.#taskIdString})`;
    if (response.action === 'FAIL') {
      // A ProductionError, not a SerializationError: the processing exception handler must not see it (KIP-399).
      throw new ProductionError(`sink "${nodeName}" failed on ${where}: ${error.message}`, {
        cause: error,
        context: {
          topic,
          partition,
          taskId: this.#taskIdString,
          node: nodeName,
          ...(source
            ? { sourceTopic: source.topic, sourcePartition: source.partition, sourceOffset: source.offset }
            : {}),
        },
      });
    }
    this.#env.logger.warn(
      `task ${this.#taskIdString}: dropping the output of ${where} to ${topic} (production handler said CONTINUE): ${error.message}`,
    );
    this.#recordDropped(origin === undefined ? 'production-error' : 'serialization-error');
    this.#sendDeadLetters(response, this.context.timestamp, source);
  }
}
