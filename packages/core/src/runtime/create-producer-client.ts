import type { ProducerClientOptions } from '../kafka/kafka-producer-client.js';
import { KafkaProducerClient } from '../kafka/kafka-producer-client.js';
import type { StreamThreadOptions } from './stream-thread.js';

/**
 * The thread's producer client, with Kafka Streams' settings for the processing guarantee (called again each time
 * `StreamsProducer` replaces a fenced or failed producer).
 */
export function createProducerClient(
  options: StreamThreadOptions,
  eos: boolean,
  onDelivery: ProducerClientOptions['onDelivery'],
): KafkaProducerClient {
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
    onDelivery,
    onError: (e) => cfg.logger.warn(`producer: ${e.message}`),
    onLog: options.diagnostics.onLog,
    ...(obs ? { onStatistics: obs.statistics.onProducerStats } : {}),
  };
  return options.producerFactory?.(clientOptions) ?? new KafkaProducerClient(clientOptions);
}
