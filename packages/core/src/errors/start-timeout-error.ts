import { KafkaClientError } from '@kaskade/processor-api';

/**
 * `start()` did not finish within `startTimeoutMs`: usually the brokers cannot be reached or the connection is
 * refused at the TLS or SASL handshake. The message names what start was doing and the Kafka clients' last
 * connection error.
 */
export class StartTimeoutError extends KafkaClientError {
  override readonly code: string = 'KASKADE_START_TIMEOUT';
}
