import { randomUUID } from 'node:crypto';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import { KafkaOperationError } from '../kafka/kafka-client-error.js';
import type { TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import { isInternalTopic } from '../tools/internal-topics.js';
import type { ApplicationControlOptions } from './application-control.js';
import { tombstoneChangelogs } from './changelog-tombstones.js';
import { ControlKeys } from './control-commands.js';
import type { DesiredState, PauseAck, RewindCommand, RewindTarget } from './control-commands.js';
import { controlError, issuer, readControlTopic, writeControl } from './control-topic-io.js';

/** Kafka's POLICY_VIOLATION: DeleteRecords on a topic with `cleanup.policy=compact`. */
const POLICY_VIOLATION = 44;

/** How long a stateful rewind waits, by default, for every member to acknowledge the pause. */
export const DEFAULT_ACKNOWLEDGE_TIMEOUT_MS = 60_000;

/**
 * A rewind with `state: 'rebuild'` of a running application, in four steps that each survive a crash of the issuer
 * (the application is then left paused, and issuing the command again completes it):
 *
 * 1. pause the application through the control topic and wait until every member of the group has acknowledged this
 *    pause — which each does after committing what it processed, so no output, changelog or repartition record is
 *    still on its way and nothing is processed until step 4;
 * 2. truncate every changelog and repartition topic of the application to its end (DeleteRecords; a compacted
 *    changelog gets a tombstone per key instead), noting where each repartition partition was cut;
 * 3. write the rewind command (`state: 'rebuild'`, the cut offsets): each task's owner wipes the task's stores and
 *    commits, marked with the command's id, its input partitions at the target and its repartition partitions at
 *    the cut — once per task, also on an instance that gets the task later;
 * 4. resume (unless the application was paused before): a replica reads the command before the resume, as the
 *    control topic is one partition, so none processes a record between the truncation and its rebuild.
 */
export async function rewindRebuildingState(
  options: ApplicationControlOptions & { readonly acknowledgeTimeoutMs?: number },
  target: RewindTarget,
): Promise<RewindCommand> {
  const by = issuer(options);
  const before = (await readControlTopic(options)).get(ControlKeys.desiredState) as DesiredState | undefined;
  const pause: DesiredState = { paused: true, at: Date.now(), by, rebuild: true };
  await writeControl(options, ControlKeys.desiredState, pause);
  await waitForAcknowledgements(options, pause.at, options.acknowledgeTimeoutMs ?? DEFAULT_ACKNOWLEDGE_TIMEOUT_MS);
  const internalOffsets = await truncateInternalTopics(options);
  const command: RewindCommand = { id: randomUUID(), target, state: 'rebuild', internalOffsets, at: Date.now(), by };
  await writeControl(options, ControlKeys.rewind, command);
  // Paused before by someone else: left paused. Paused by a stateful rewind that did not finish: resumed.
  if (before?.paused !== true || before.rebuild === true) {
    await writeControl(options, ControlKeys.desiredState, { paused: false, at: Date.now(), by } satisfies DesiredState);
  }
  return command;
}

/**
 * Waits until every current member of the group has acknowledged the pause written at `pausedAt` (the members are
 * looked up again on every round: one that left no longer counts, one that joined must answer too).
 */
async function waitForAcknowledgements(
  options: ApplicationControlOptions,
  pausedAt: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const admin = KafkaAdmin.create(options.bootstrapServers, options.clientConfig ?? {});
  try {
    for (;;) {
      const group = await admin.describeGroup(options.applicationId);
      const topic = await readControlTopic(options);
      const missing = group.members
        .map((m) => m.clientId)
        .filter((clientId) => {
          const ack = topic.get(`${ControlKeys.pauseAckPrefix}${clientId}`) as PauseAck | undefined;
          return ack?.pausedAt !== pausedAt;
        });
      // A group between generations lists members that may be on their way out or in: wait for it to settle.
      const settled = group.state === 'Stable' || group.state === 'Empty' || group.state === 'Dead';
      if (missing.length === 0 && settled) return;
      if (Date.now() > deadline) {
        throw controlError(
          `not every replica acknowledged the pause within ${timeoutMs} ms (group ${group.state}; waiting for ` +
            `${missing.length > 0 ? missing.join(', ') : 'the group to settle'}); nothing was truncated, the ` +
            'application stays paused: issue the rewind again, or resume it',
          'not-acknowledged',
          options.applicationId,
          { missing, groupState: group.state },
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    admin.close();
  }
}

/**
 * Deletes every record of the application's repartition topics and changelogs (each partition up to its end); a
 * compacted changelog, which DeleteRecords may not truncate, gets a tombstone for every key instead. Returns where
 * the topics that tasks read (repartition, foreign-key subscription topics) were cut.
 */
async function truncateInternalTopics(options: ApplicationControlOptions): Promise<TopicPartitionOffset[]> {
  const admin = KafkaAdmin.create(options.bootstrapServers, options.clientConfig ?? {});
  try {
    const topics = (await admin.listTopics()).filter((t) => isInternalTopic(options.applicationId, t));
    const counts = await admin.partitionCounts(topics);
    const partitions: TopicPartition[] = topics.flatMap((topic) =>
      Array.from({ length: counts.get(topic) ?? 0 }, (_, partition) => ({ topic, partition })),
    );
    const ends = await admin.listOffsets(partitions, 'latest');
    const compacted: TopicPartitionOffset[] = [];
    for (const topic of topics) {
      const own = ends.filter((e) => e.topic === topic && e.offset > 0);
      try {
        await admin.deleteRecords(own);
      } catch (e) {
        if (!(e instanceof KafkaOperationError && e.kafkaCode === POLICY_VIOLATION && topic.endsWith('-changelog')))
          throw e;
        compacted.push(...own);
      }
    }
    await tombstoneChangelogs(options, compacted);
    return ends.filter((e) => !e.topic.endsWith('-changelog'));
  } finally {
    admin.close();
  }
}
