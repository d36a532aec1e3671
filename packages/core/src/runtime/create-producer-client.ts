import type { ProducerClientOptions } from '../kafka/kafka-producer-client.js';
import { KafkaProducerClient } from '../kafka/kafka-producer-client.js';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import { NativeConsumerClient } from '../kafka/native/native-consumer-client.js';
import { NativeProducerClient } from '../kafka/native/native-producer-client.js';
import type { ProducerClient } from '../kafka/producer-client.js';
import type { StreamThreadOptions } from './stream-thread.js';

/** Where delivery reports go (the record collector). */
export interface DeliveryListener {
  readonly onDelivery: NonNullable<ProducerClientOptions['onDelivery']>;
  readonly onDelivered: NonNullable<ProducerClientOptions['onDelivered']>;
}

/**
 * The thread's producer client, with Kafka Streams' settings for the processing guarantee (called again each time
 * `StreamsProducer` replaces a fenced or failed producer): Kaskade's native producer when the addon loads
 * (`nativeClient`), except under exactly-once with the Kafka client's consumer — a transaction's offsets carry the
 * consumer's group metadata, which each client hands only to its own kind of producer. A `producerFactory` gets the
 * options and the default maker.
 */
export function createProducerClient(
  options: StreamThreadOptions,
  eos: boolean,
  deliveries: DeliveryListener,
  consumer: ConsumerClient,
): ProducerClient {
  const cfg = options.config;
  const obs = options.observability;
  const clientOptions: ProducerClientOptions = {
    bootstrapServers: cfg.bootstrapServers,
    clientId: `${cfg.applicationId}-${cfg.instanceId}-producer`,
    // Kafka Streams' exactly-once setting: a crashed instance's open transaction is aborted by the broker within
    // 10 s, so read_committed readers are not held up longer than that.
    config: {
      partitioner: 'murmur2_random',
      // Exactly-once: a failed send fails the transaction, so per-record delivery reports (the binding hands them
      // to JS one object each) are only needed for errors.
      ...(eos ? { 'transaction.timeout.ms': 10_000, 'delivery.report.only.error': true } : {}),
      ...(obs ? obs.clientConfig(cfg.producerConfig) : cfg.producerConfig),
    },
    ...(eos ? { transactionalId: `${cfg.applicationId}-${cfg.instanceId}` } : {}),
    onDelivery: deliveries.onDelivery,
    onDelivered: deliveries.onDelivered,
    onError: (e) => cfg.logger.warn(`producer: ${e.message}`),
    onLog: options.diagnostics.onLog,
    ...(obs ? { onStatistics: obs.statistics.onProducerStats } : {}),
  };
  const createDefault = (o: ProducerClientOptions): ProducerClient => defaultProducer(options, eos, consumer, o);
  if (options.producerFactory) return options.producerFactory(clientOptions, createDefault);
  return createDefault(clientOptions);
}

function defaultProducer(
  options: StreamThreadOptions,
  eos: boolean,
  consumer: ConsumerClient,
  clientOptions: ProducerClientOptions,
): ProducerClient {
  const cfg = options.config;
  if (cfg.nativeClient !== 'off' && (!eos || consumer instanceof NativeConsumerClient)) {
    try {
      const native = new NativeProducerClient(clientOptions);
      cfg.logger.debug('producing through the native batch producer');
      return native;
    } catch (e) {
      if (cfg.nativeClient === 'required') throw e;
      cfg.logger.info(`producing through the Kafka client: ${(e as Error).message}`);
    }
  }
  return new KafkaProducerClient(clientOptions);
}
