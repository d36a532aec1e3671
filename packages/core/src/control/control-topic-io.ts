import { hostname, userInfo } from 'node:os';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import { KafkaProducerClient } from '../kafka/kafka-producer-client.js';
import { ApplicationControlError } from './application-control-error.js';
import type { ApplicationControlOptions } from './application-control.js';
import { ensureControlTopic } from './control-channel.js';
import { controlTopicName } from './control-commands.js';

/** Who issues a command: `options.by`, else `user@host`. */
export function issuer(options: ApplicationControlOptions): string {
  if (options.by !== undefined) return options.by;
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}

export function controlError(
  message: string,
  reason: string,
  applicationId: string,
  context: { readonly [key: string]: unknown } = {},
): ApplicationControlError {
  return new ApplicationControlError(message, { context: { applicationId, reason, ...context } });
}

/** Every key of the control topic with its latest value (a deleted key is absent); empty when there is no topic. */
export async function readControlTopic(options: ApplicationControlOptions): Promise<Map<string, unknown>> {
  const topic = controlTopicName(options.applicationId);
  const out = new Map<string, unknown>();
  const admin = KafkaAdmin.create(options.bootstrapServers, options.clientConfig ?? {});
  try {
    if (!(await admin.topicExists(topic))) return out;
  } finally {
    admin.close();
  }
  const consumer = new KafkaConsumerClient({
    bootstrapServers: options.bootstrapServers,
    groupId: `${options.applicationId}-control-reader`,
    clientId: 'kaskade-control-reader',
    pollTimeoutMs: 50,
    ...(options.clientConfig ? { config: options.clientConfig } : {}),
  });
  await consumer.connect();
  try {
    const { high } = await consumer.watermarks(topic, 0);
    if (high === 0) return out;
    consumer.assignAt([{ topic, partition: 0, offset: -2 }]);
    const deadline = Date.now() + 30_000;
    while ((consumer.position(topic, 0) ?? 0) < high && Date.now() < deadline) {
      for (const m of await consumer.consumeBatch(500)) {
        const key = String(m.key);
        if (m.value === null) out.delete(key);
        else out.set(key, JSON.parse(m.value.toString('utf8')) as unknown);
      }
    }
    return out;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Writes one record to the control topic. `requireKnown` (default): refuse when neither the topic nor the group
 * exists (a mistyped application id); `createTopic: false`: do nothing when the topic is missing.
 */
export async function writeControl(
  options: ApplicationControlOptions,
  key: string,
  value: object | null,
  how: { requireKnown?: boolean; createTopic?: boolean } = {},
): Promise<void> {
  const topic = controlTopicName(options.applicationId);
  const admin = KafkaAdmin.create(options.bootstrapServers, options.clientConfig ?? {});
  try {
    const exists = await admin.topicExists(topic);
    if (!exists) {
      if (how.createTopic === false) return;
      if (how.requireKnown !== false) {
        const group = await admin.describeGroup(options.applicationId);
        if (group.members.length === 0 && (group.state === 'Dead' || group.state === 'Unknown')) {
          throw controlError(
            `application '${options.applicationId}' is unknown: it has no consumer group and no control topic ` +
              '(check the application id)',
            'unknown-application',
            options.applicationId,
          );
        }
      }
      await ensureControlTopic(admin, topic, options.replicationFactor ?? -1);
    }
  } finally {
    admin.close();
  }
  let failed: Error | undefined;
  const producer = new KafkaProducerClient({
    bootstrapServers: options.bootstrapServers,
    clientId: 'kaskade-control',
    ...(options.clientConfig ? { config: options.clientConfig } : {}),
    onDelivery: (r) => {
      if (r.error) failed ??= r.error;
    },
  });
  await producer.connect();
  try {
    const bytes = value === null ? null : Buffer.from(JSON.stringify(value));
    producer.produce(topic, 0, bytes, Buffer.from(key), Date.now());
    await producer.flush();
  } finally {
    await producer.disconnect();
  }
  if (failed) {
    throw new ApplicationControlError(`could not write to ${topic}: ${failed.message}`, {
      cause: failed,
      context: { applicationId: options.applicationId, reason: 'unreachable' },
    });
  }
}
