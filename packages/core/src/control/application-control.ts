import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import { KafkaProducerClient } from '../kafka/kafka-producer-client.js';
import type { ClientConfig, TopicPartitionOffset } from '../kafka/kafka-types.js';
import { parseIsoDuration } from '../tools/iso-duration.js';
import { parseDatetime } from '../tools/reset-options.js';
import { ApplicationControlError } from './application-control-error.js';
import { ensureControlTopic } from './control-channel.js';
import { ControlKeys, controlTopicName } from './control-commands.js';
import type { DesiredState, RewindCommand, RewindTarget } from './control-commands.js';

/** Which application to control, and how to reach its cluster. */
export interface ApplicationControlOptions {
  readonly applicationId: string;
  readonly bootstrapServers: string;
  readonly clientConfig?: ClientConfig;
  /** Who issues the command, shown by `kaskade status`. Default: `user@host`. */
  readonly by?: string;
  /** Replication factor of the control topic if it has to be created. Default: the broker's. */
  readonly replicationFactor?: number;
}

/** A rewind of every replica of an application. Exactly one target; none means earliest. */
export interface RewindApplicationOptions extends ApplicationControlOptions {
  readonly toEarliest?: boolean;
  /** An ISO-8601 date-time, a Date or epoch ms: the first record at or after it. */
  readonly toDatetime?: string | Date | number;
  /** An ISO-8601 duration back from now (resolved when the command is issued). */
  readonly byDuration?: string;
  /** Explicit offsets per partition. */
  readonly toOffsets?: readonly TopicPartitionOffset[];
  /** `keep` (the default): reprocess on top of the state. `rebuild` is not built yet and is refused. */
  readonly state?: 'keep' | 'rebuild';
}

/**
 * Pauses every replica of an application, now and when started later, through its control topic: within a poll
 * interval no replica processes, punctuates or produces; each stays in the group and keeps its partitions.
 *
 * @throws ApplicationControlError when the application is unknown (no group, no control topic).
 */
export async function pauseApplication(options: ApplicationControlOptions): Promise<DesiredState> {
  return writeDesiredState(options, true);
}

/** Resumes every replica of an application paused by {@link pauseApplication}. */
export async function resumeApplication(options: ApplicationControlOptions): Promise<DesiredState> {
  return writeDesiredState(options, false);
}

/**
 * Rewinds every replica of an application: each input partition's owner moves it to the target once (the command id
 * travels with the committed offset), so its records are processed again. Internal (repartition) topics are not
 * moved. Stateful steps reprocess on top of their state (`state: 'keep'`).
 */
export async function rewindApplication(options: RewindApplicationOptions): Promise<RewindCommand> {
  const given = [options.toEarliest, options.toDatetime, options.byDuration, options.toOffsets].filter(
    (t) => t !== undefined && t !== false,
  );
  if (given.length > 1) throw controlError('give one rewind target', 'bad-target', options.applicationId);
  if (options.state === 'rebuild') {
    throw controlError(
      "rewind with state 'rebuild' (wipe stores, truncate changelogs) is not built yet; stop the application and use " +
        'the reset tool (kaskade reset) to reprocess a stateful application from scratch',
      'unsupported',
      options.applicationId,
    );
  }
  const target: RewindTarget =
    options.toDatetime !== undefined
      ? { kind: 'timestamp', timestampMs: parseDatetime(options.toDatetime) }
      : options.byDuration !== undefined
        ? { kind: 'timestamp', timestampMs: Date.now() - parseIsoDuration(options.byDuration, 'byDuration') }
        : options.toOffsets !== undefined
          ? { kind: 'offsets', offsets: options.toOffsets.map((o) => ({ ...o })) }
          : { kind: 'earliest' };
  const command: RewindCommand = { id: randomUUID(), target, state: 'keep', at: Date.now(), by: issuer(options) };
  await writeControl(options, ControlKeys.rewind, command);
  return command;
}

/** What the control topic holds now: the desired state and the last rewind (undefined when never set). */
export async function readApplicationControl(
  options: ApplicationControlOptions,
): Promise<{ desiredState: DesiredState | undefined; rewind: RewindCommand | undefined }> {
  const topic = controlTopicName(options.applicationId);
  const out: { desiredState: DesiredState | undefined; rewind: RewindCommand | undefined } = {
    desiredState: undefined,
    rewind: undefined,
  };
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
        const value = m.value === null ? undefined : (JSON.parse(m.value.toString('utf8')) as unknown);
        if (String(m.key) === ControlKeys.desiredState) out.desiredState = value as DesiredState | undefined;
        if (String(m.key) === ControlKeys.rewind) out.rewind = value as RewindCommand | undefined;
      }
    }
    return out;
  } finally {
    await consumer.disconnect();
  }
}

/** Forgets the last rewind command (the reset tool does, so a reset application does not rewind again). */
export async function clearRewind(options: ApplicationControlOptions): Promise<void> {
  await writeControl(options, ControlKeys.rewind, null, { requireKnown: false, createTopic: false });
}

async function writeDesiredState(options: ApplicationControlOptions, paused: boolean): Promise<DesiredState> {
  const state: DesiredState = { paused, at: Date.now(), by: issuer(options) };
  await writeControl(options, ControlKeys.desiredState, state);
  return state;
}

function issuer(options: ApplicationControlOptions): string {
  if (options.by !== undefined) return options.by;
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}

function controlError(message: string, reason: string, applicationId: string): ApplicationControlError {
  return new ApplicationControlError(message, { context: { applicationId, reason } });
}

async function writeControl(
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
