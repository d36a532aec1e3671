import type { ConsumerClientOptions, RebalanceEvent } from '../kafka/kafka-consumer-client.js';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import { NativeConsumerClient } from '../kafka/native/native-consumer-client.js';
import { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import type { taskIdlingFor } from './consumer-lags.js';
import { composeStatistics, withIdlingStatistics } from './consumer-lags.js';
import type { StreamThreadOptions } from './stream-thread.js';

/** The client id of the thread's consumer: how the group's description names this instance's member. */
export function consumerClientId(cfg: { readonly applicationId: string; readonly instanceId: string }): string {
  return `${cfg.applicationId}-${cfg.instanceId}-consumer`;
}

/**
 * The thread's consumer in the application's group, with the settings its features need: librdkafka statistics for
 * task idling's lags (only when some task reads several partitions), `group.instance.id` for static membership, and
 * the group protocol resolved at start.
 */
export function createConsumerClient(
  options: StreamThreadOptions,
  eos: boolean,
  idling: ReturnType<typeof taskIdlingFor>,
  onRebalance: (event: RebalanceEvent) => void,
): ConsumerClient {
  const cfg = options.config;
  const obs = options.observability;
  let consumerConfig = idling ? withIdlingStatistics(cfg.consumerConfig) : cfg.consumerConfig;
  // Static membership: a restart within the session timeout takes the member's place (and tasks) back.
  if (cfg.staticMembership) consumerConfig = { ...consumerConfig, 'group.instance.id': cfg.instanceId };
  consumerConfig = { ...consumerConfig, 'group.protocol': options.groupProtocol };
  const onConsumerStats = composeStatistics(obs?.statistics.onConsumerStats, idling?.lags.onStatistics);
  const clientOptions: ConsumerClientOptions = {
    bootstrapServers: cfg.bootstrapServers,
    groupId: cfg.applicationId,
    clientId: consumerClientId(cfg),
    isolationLevel: eos ? 'read_committed' : 'read_uncommitted',
    pollTimeoutMs: cfg.pollMs,
    autoOffsetReset: 'earliest',
    config: obs ? obs.clientConfig(consumerConfig) : consumerConfig,
    onRebalance,
    onError: (e) => cfg.logger.warn(`consumer: ${e.message}`),
    onLog: options.diagnostics.onLog,
    ...(onConsumerStats ? { onStatistics: onConsumerStats } : {}),
  };
  // Under exactly-once the producer follows this choice (createProducerClient): each client's transactions take only
  // its own kind of consumer's group metadata.
  if (cfg.nativeConsumer && cfg.nativeClient !== 'off') {
    try {
      const native = new NativeConsumerClient(clientOptions);
      cfg.logger.debug('consuming through the native batch consumer');
      return native;
    } catch (e) {
      if (cfg.nativeClient === 'required') throw e;
      cfg.logger.info(`consuming through the Kafka client: ${(e as Error).message}`);
    }
  }
  return new KafkaConsumerClient(clientOptions);
}
