import { KafkaClientError } from '@kaskade/processor-api';

/** What librdkafka reports about an error, in the flags the runtime acts on. */
export interface LibrdKafkaErrorLike {
  readonly message: string;
  readonly code: number;
  readonly isFatal?: boolean;
  readonly isRetriable?: boolean;
  readonly isTxnRequiresAbort?: boolean;
}

/** A Kafka client error with librdkafka's flags preserved (retriable, abortable, fatal). */
export class KafkaOperationError extends KafkaClientError {
  override readonly code: string = 'KASKADE_KAFKA_OPERATION_ERROR';
  readonly kafkaCode: number;
  readonly retriable: boolean;
  readonly txnRequiresAbort: boolean;
  readonly fatal: boolean;

  constructor(operation: string, err: LibrdKafkaErrorLike, context: { [key: string]: unknown } = {}) {
    super(`${operation} failed: ${err.message} (librdkafka code ${err.code})`, { cause: err, context });
    this.kafkaCode = err.code;
    this.retriable = err.isRetriable === true;
    this.txnRequiresAbort = err.isTxnRequiresAbort === true;
    this.fatal = err.isFatal === true;
  }
}

/** Wraps an error from a librdkafka callback; passes through errors that are already ours. */
export function toKafkaError(operation: string, err: unknown, context?: { [key: string]: unknown }): Error {
  if (err instanceof KafkaClientError) return err;
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    return new KafkaOperationError(operation, err as LibrdKafkaErrorLike, context);
  }
  return new KafkaClientError(`${operation} failed: ${String(err)}`, { cause: err, context: context ?? {} });
}
