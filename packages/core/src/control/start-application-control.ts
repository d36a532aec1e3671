import type { StreamsConfig } from '../config/streams-config.js';
import { ControlApplier } from './control-applier.js';
import type { ControlHost } from './control-applier.js';
import { ControlChannel } from './control-channel.js';

/**
 * Opens the application's control topic and applies what it says so far (an application paused before this instance
 * started starts paused). Called before the instance joins its group. `opened` learns of the channel at once, so that
 * a start abandoned meanwhile still closes it.
 */
export async function startApplicationControl(
  config: StreamsConfig,
  host: ControlHost,
  opened: (channel: ControlChannel) => void,
): Promise<ControlApplier> {
  const channel = new ControlChannel({
    applicationId: config.applicationId,
    instanceId: config.instanceId,
    bootstrapServers: config.bootstrapServers,
    consumerConfig: config.consumerConfig,
    adminConfig: config.adminConfig,
    producerConfig: config.producerConfig,
    replicationFactor: config.replicationFactor,
    logger: config.logger,
  });
  opened(channel);
  await channel.start();
  const applier = new ControlApplier(channel, host);
  await applier.apply();
  return applier;
}
