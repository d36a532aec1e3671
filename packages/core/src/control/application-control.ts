import { randomUUID } from 'node:crypto';
import type { ClientConfig, TopicPartitionOffset } from '../kafka/kafka-types.js';
import { parseIsoDuration } from '../tools/iso-duration.js';
import { parseDatetime } from '../tools/reset-options.js';
import { ControlKeys } from './control-commands.js';
import type { DesiredState, RewindCommand, RewindTarget } from './control-commands.js';
import { controlError, issuer, readControlTopic, writeControl } from './control-topic-io.js';
import { rewindRebuildingState } from './rebuild-sequence.js';

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
  /**
   * `keep` (the default): reprocess on top of the state. `rebuild`: reprocess from empty state, as a new application
   * would from the target — the application is paused, every replica's acknowledgement awaited, changelogs and
   * repartition topics truncated, every task's stores wiped, and the application resumed (see the README).
   */
  readonly state?: 'keep' | 'rebuild';
  /** `rebuild`: how long to wait for every replica to acknowledge the pause. Default 60 s. */
  readonly acknowledgeTimeoutMs?: number;
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
 * travels with the committed offset), so its records are processed again. With `state: 'keep'` (the default),
 * internal (repartition) topics are not moved and stateful steps reprocess on top of their state; with
 * `state: 'rebuild'` the application's state is rebuilt from the target (see {@link RewindApplicationOptions.state}).
 *
 * @throws ApplicationControlError when the target or state is invalid, the application unknown, or (rebuild) a
 *   replica does not acknowledge the pause in time — the application is then left paused, nothing truncated.
 */
export async function rewindApplication(options: RewindApplicationOptions): Promise<RewindCommand> {
  const given = [options.toEarliest, options.toDatetime, options.byDuration, options.toOffsets].filter(
    (t) => t !== undefined && t !== false,
  );
  if (given.length > 1) throw controlError('give one rewind target', 'bad-target', options.applicationId);
  const state = options.state ?? 'keep';
  if (state !== 'keep' && state !== 'rebuild') {
    throw controlError(
      `unknown rewind state ${JSON.stringify(state)}: expected 'keep' or 'rebuild'`,
      'bad-state',
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
  if (state === 'rebuild') return rewindRebuildingState(options, target);
  const command: RewindCommand = { id: randomUUID(), target, state: 'keep', at: Date.now(), by: issuer(options) };
  await writeControl(options, ControlKeys.rewind, command);
  return command;
}

/** What the control topic holds now: the desired state and the last rewind (undefined when never set). */
export async function readApplicationControl(
  options: ApplicationControlOptions,
): Promise<{ desiredState: DesiredState | undefined; rewind: RewindCommand | undefined }> {
  const topic = await readControlTopic(options);
  return {
    desiredState: topic.get(ControlKeys.desiredState) as DesiredState | undefined,
    rewind: topic.get(ControlKeys.rewind) as RewindCommand | undefined,
  };
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
