import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '@kaskade/processor-api';
import { silentLogger } from '../config/logger.js';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import type { TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import { clearRewind } from '../control/application-control.js';
import { ApplicationResetError } from './application-reset-error.js';
import { parseIsoDuration } from './iso-duration.js';
import { isInternalTopic } from './internal-topics.js';
import { parseDatetime, parseResetOptions } from './reset-options.js';
import type { ResetApplicationOptions } from './reset-options.js';
import type { PartitionReset, ResetPlan } from './reset-plan.js';
import { targetOffset } from './reset-target.js';
import type { PartitionOffsets, ResetTarget } from './reset-target.js';

/**
 * Resets an application for reprocessing from its input, as Kafka Streams' application reset tool does: moves the
 * group's committed offsets on its input topics (to earliest, latest, a date-time, a duration ago, an offset, a
 * shift, or offsets from a file), deletes its internal topics (changelogs, repartition topics), and — given its
 * `stateDir` — its local state. Output topics are left alone.
 *
 * Refuses while the group has active members (every replica must be stopped), naming them. Returns the plan; with
 * `dryRun` nothing changes. Works for groups that commit through transactions (their offsets are ordinary group
 * offsets once committed).
 *
 * ```ts
 * const plan = await resetApplication({ applicationId: 'orders', bootstrapServers: 'localhost:9092', toEarliest: true });
 * console.log(formatResetPlan(plan));
 * ```
 * @throws ConfigError for invalid options; ApplicationResetError when the group is active, the application is
 *   unknown or a topic does not exist.
 * @see org.apache.kafka.tools.StreamsResetter
 */
export async function resetApplication(options: ResetApplicationOptions): Promise<ResetPlan> {
  const o = parseResetOptions(options);
  const target = resolveTarget(o);
  const logger = o.logger ?? silentLogger;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const admin = KafkaAdmin.create(o.bootstrapServers, o.clientConfig ?? {}, timeoutMs);
  try {
    await refuseActiveGroup(admin, o.applicationId);
    const topics = await admin.listTopics();
    const internal = topics.filter((t) => isInternalTopic(o.applicationId, t)).sort();
    const inputs = await inputPartitions(admin, o, topics, internal, target);
    const offsets = await planOffsets(admin, o.applicationId, inputs, target, 'input');
    const deleteInternal = o.deleteInternalTopics ?? true;
    if (!deleteInternal) {
      // Kept repartition topics still hold what the last run wrote: skip past it, or it would be processed twice.
      const repartition = internal.filter((t) => t.endsWith('-repartition'));
      const parts = await partitionsOf(admin, repartition);
      offsets.push(...(await planOffsets(admin, o.applicationId, parts, { kind: 'latest' }, 'internal')));
    }
    const plan: ResetPlan = {
      applicationId: o.applicationId,
      dryRun: o.dryRun ?? false,
      offsets,
      topicsToDelete: deleteInternal ? internal : [],
      stateDirToDelete: o.stateDir === undefined ? undefined : join(resolve(o.stateDir), o.applicationId),
    };
    if (plan.dryRun) return plan;
    await commitOffsets(o, plan.offsets, timeoutMs);
    if (plan.topicsToDelete.length > 0) await deleteAndWait(admin, plan.topicsToDelete, timeoutMs);
    if (plan.stateDirToDelete !== undefined) rmSync(plan.stateDirToDelete, { recursive: true, force: true });
    // A rewind command left in the control topic would otherwise move the freshly reset offsets again.
    await clearRewind({
      applicationId: o.applicationId,
      bootstrapServers: o.bootstrapServers,
      ...(o.clientConfig ? { clientConfig: o.clientConfig } : {}),
    });
    logger.info('application reset', {
      applicationId: o.applicationId,
      partitions: plan.offsets.length,
      deletedTopics: plan.topicsToDelete.length,
    });
    return plan;
  } finally {
    admin.close();
  }
}

function resolveTarget(o: ResetApplicationOptions): ResetTarget {
  if (o.toLatest) return { kind: 'latest' };
  if (o.toDatetime !== undefined) return { kind: 'timestamp', timestampMs: parseDatetime(o.toDatetime) };
  if (o.byDuration !== undefined) {
    return { kind: 'timestamp', timestampMs: Date.now() - parseIsoDuration(o.byDuration, 'byDuration') };
  }
  if (o.toOffset !== undefined) return { kind: 'offset', offset: o.toOffset };
  if (o.shiftBy !== undefined) return { kind: 'shift', by: o.shiftBy };
  if (o.fromFile !== undefined) return { kind: 'explicit', offsets: readOffsetsFile(o.fromFile) };
  return { kind: 'earliest' };
}

/** `topic,partition,offset` per line (Kafka's consumer-groups tool's CSV); blank lines and `#` comments skipped. */
function readOffsetsFile(file: string): TopicPartitionOffset[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const message = `cannot read '${file}': ${(e as Error).message}`;
    throw new ConfigError(`fromFile: ${message}`, [{ field: 'fromFile', message }], { cause: e });
  }
  const offsets: TopicPartitionOffset[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([a-zA-Z0-9._-]+)\s*,\s*(\d+)\s*,\s*(\d+)$/.exec(line);
    if (!m) {
      const message = `${file}:${i + 1}: expected 'topic,partition,offset', got '${line}'`;
      throw new ConfigError(`fromFile: ${message}`, [{ field: 'fromFile', message }]);
    }
    offsets.push({ topic: m[1]!, partition: Number(m[2]), offset: Number(m[3]) });
  });
  return offsets;
}

async function refuseActiveGroup(admin: KafkaAdmin, applicationId: string): Promise<void> {
  const group = await admin.describeGroup(applicationId);
  if (group.members.length === 0) return;
  const members = group.members.map((m) => `${m.clientId}@${m.host} (${m.memberId})`);
  throw new ApplicationResetError(
    `application '${applicationId}' still has ${members.length} active member(s); stop every instance first: ` +
      members.join(', '),
    { context: { applicationId, members, reason: 'active-members' } },
  );
}

/** The input partitions to reset: given topics, the file's partitions, or every topic the group committed on. */
async function inputPartitions(
  admin: KafkaAdmin,
  o: ResetApplicationOptions,
  topics: readonly string[],
  internal: readonly string[],
  target: ResetTarget,
): Promise<TopicPartition[]> {
  if (o.inputTopics !== undefined || target.kind === 'explicit') {
    const named = o.inputTopics ?? [...new Set(target.kind === 'explicit' ? target.offsets.map((x) => x.topic) : [])];
    const counts = await admin.partitionCounts(named);
    const missing = named.filter((t) => counts.get(t) === undefined);
    if (missing.length > 0) {
      throw new ApplicationResetError(`input topic(s) not found: ${missing.join(', ')}`, {
        context: { applicationId: o.applicationId, missing, reason: 'unknown-topic' },
      });
    }
    const parts = named.flatMap((topic) =>
      Array.from({ length: counts.get(topic)! }, (_, partition) => ({ topic, partition })),
    );
    if (target.kind === 'explicit') {
      const unknown = target.offsets.filter(
        (x) => !parts.some((p) => p.topic === x.topic && p.partition === x.partition),
      );
      if (unknown.length > 0) {
        throw new ApplicationResetError(
          `offsets file names partitions that do not exist or are not inputs: ${unknown.map((x) => `${x.topic}-${x.partition}`).join(', ')}`,
          { context: { applicationId: o.applicationId, reason: 'bad-offsets' } },
        );
      }
    }
    return parts;
  }
  const candidates = topics.filter((t) => !t.startsWith('__') && !internal.includes(t));
  const parts = await partitionsOf(admin, candidates);
  const committed = parts.length === 0 ? [] : await admin.groupOffsets(o.applicationId, parts);
  const used = new Set(committed.filter((c) => c.offset >= 0).map((c) => c.topic));
  if (used.size === 0 && internal.length === 0) {
    throw new ApplicationResetError(
      `application '${o.applicationId}' is unknown: its group has no committed offsets and it has no internal ` +
        'topics (check the application id, or name its input topics)',
      { context: { applicationId: o.applicationId, reason: 'unknown-application' } },
    );
  }
  return parts.filter((p) => used.has(p.topic));
}

async function partitionsOf(admin: KafkaAdmin, topics: readonly string[]): Promise<TopicPartition[]> {
  if (topics.length === 0) return [];
  const counts = await admin.partitionCounts(topics);
  return topics.flatMap((topic) =>
    Array.from({ length: counts.get(topic) ?? 0 }, (_, partition) => ({ topic, partition })),
  );
}

async function planOffsets(
  admin: KafkaAdmin,
  groupId: string,
  parts: readonly TopicPartition[],
  target: ResetTarget,
  role: PartitionReset['role'],
): Promise<PartitionReset[]> {
  if (parts.length === 0) return [];
  const key = (p: TopicPartition): string => `${p.topic}\u0000${p.partition}`;
  const index = (list: readonly TopicPartitionOffset[]): Map<string, number> =>
    new Map(list.map((x) => [key(x), x.offset]));
  const [committed, earliest, latest, byTime] = await Promise.all([
    admin.groupOffsets(groupId, parts).then(index),
    admin.listOffsets(parts, 'earliest').then(index),
    admin.listOffsets(parts, 'latest').then(index),
    target.kind === 'timestamp'
      ? admin.listOffsets(parts, { timestampMs: target.timestampMs }).then(index)
      : Promise.resolve(undefined),
  ]);
  const plan: PartitionReset[] = [];
  for (const p of parts) {
    const c = committed.get(key(p));
    const offsets: PartitionOffsets = {
      topic: p.topic,
      partition: p.partition,
      committed: c === undefined || c < 0 ? undefined : c,
      earliest: earliest.get(key(p)) ?? 0,
      latest: latest.get(key(p)) ?? 0,
      ...(byTime ? { byTimestamp: byTime.get(key(p)) ?? -1 } : {}),
    };
    const t = targetOffset(target, offsets);
    if (t !== undefined)
      plan.push({ topic: p.topic, partition: p.partition, committed: offsets.committed, target: t, role });
  }
  return plan;
}

/**
 * Commits the new offsets as the group, through a consumer that never joins it: there is no admin call to alter a
 * group's offsets in this client, and a commit without membership is accepted while the group has no members.
 */
async function commitOffsets(
  o: ResetApplicationOptions,
  offsets: readonly PartitionReset[],
  timeoutMs: number,
): Promise<void> {
  if (offsets.length === 0) return;
  const consumer = new KafkaConsumerClient({
    bootstrapServers: o.bootstrapServers,
    groupId: o.applicationId,
    clientId: 'kaskade-reset',
    ...(o.clientConfig ? { config: o.clientConfig } : {}),
  });
  await consumer.connect(timeoutMs);
  try {
    await consumer.commit(offsets.map((x) => ({ topic: x.topic, partition: x.partition, offset: x.target })));
  } finally {
    await consumer.disconnect();
  }
}

/** Deletes topics and waits until the cluster no longer lists them, so a restart right after recreates them. */
async function deleteAndWait(admin: KafkaAdmin, topics: readonly string[], timeoutMs: number): Promise<void> {
  await admin.deleteTopics(topics);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = (await admin.listTopics()).filter((t) => topics.includes(t));
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      throw new ApplicationResetError(
        `internal topics still listed ${timeoutMs} ms after deletion: ${left.join(', ')}`,
        {
          context: { topics: left },
        },
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
