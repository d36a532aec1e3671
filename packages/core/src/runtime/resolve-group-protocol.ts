import type { StreamsConfig } from '../config/streams-config.js';
import { CLASSIC_ONLY_CONSUMER_KEYS } from '../config/parse-streams-config.js';
import { CONSUMER_GROUP_HEARTBEAT, brokerApiKeys } from '../kafka/broker-api-versions.js';

/** The group protocol a thread's consumer speaks (see `StreamsConfig.groupProtocol`). */
export type GroupProtocol = 'consumer' | 'classic';

/**
 * `groupProtocol` made definite, once per start, and logged: `'auto'` becomes `'consumer'` when the broker offers
 * KIP-848 (it lists the ConsumerGroupHeartbeat API) and the consumer configuration has none of the classic protocol's
 * settings (librdkafka refuses them under the consumer protocol), else `'classic'`.
 */
export async function resolveGroupProtocol(config: StreamsConfig): Promise<GroupProtocol> {
  const log = (protocol: GroupProtocol, why: string): GroupProtocol => {
    config.logger.info(`group protocol: ${protocol} (${why})`);
    return protocol;
  };
  if (config.groupProtocol !== 'auto') return log(config.groupProtocol, 'groupProtocol');
  const classicKey = CLASSIC_ONLY_CONSUMER_KEYS.find((k) => k in config.consumerConfig);
  if (classicKey !== undefined) return log('classic', `consumerConfig sets ${classicKey}, a classic protocol setting`);
  const keys = await brokerApiKeys(config.bootstrapServers, config.adminConfig, 10_000);
  if (keys === undefined) {
    return log(
      'classic',
      "could not ask the broker which protocols it offers; set groupProtocol: 'consumer' to use KIP-848",
    );
  }
  return keys.has(CONSUMER_GROUP_HEARTBEAT)
    ? log('consumer', 'the broker offers KIP-848 incremental rebalancing')
    : log('classic', 'the broker does not offer the consumer group protocol');
}
