import type { ProducerClientOptions } from '../kafka/kafka-producer-client.js';
import type { ProducerClient } from '../kafka/producer-client.js';
import type { StateRestoreListener } from './changelog-restorer.js';

/** Options that are not configuration: listeners and seams for tests. */
export interface KafkaStreamsOptions {
  readonly restoreListener?: StateRestoreListener;
  /**
   * Makes the producer. A seam for fault-injection tests (e.g. a wrapper whose `commitTransaction` fails):
   * `createDefault` makes the producer the thread would have had (the native one or the Kafka client's, matching the
   * consumer — under exactly-once each takes only its own kind of consumer's group metadata).
   */
  readonly producerFactory?: ProducerFactory;
}

/** See {@link KafkaStreamsOptions.producerFactory}. */
export type ProducerFactory = (
  options: ProducerClientOptions,
  createDefault: (options: ProducerClientOptions) => ProducerClient,
) => ProducerClient;
