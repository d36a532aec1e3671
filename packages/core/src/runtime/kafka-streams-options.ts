import type { KafkaProducerClient, ProducerClientOptions } from '../kafka/kafka-producer-client.js';
import type { StateRestoreListener } from './changelog-restorer.js';

/** Options that are not configuration: listeners and seams for tests. */
export interface KafkaStreamsOptions {
  readonly restoreListener?: StateRestoreListener;
  /**
   * Makes the producer. A seam for fault-injection tests (e.g. a subclass whose `commitTransaction` fails); the
   * default is `new KafkaProducerClient(options)`.
   */
  readonly producerFactory?: (options: ProducerClientOptions) => KafkaProducerClient;
}
