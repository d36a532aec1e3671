import { Command, InvalidArgumentError, Option } from 'commander';
import { pauseApplication, resumeApplication, rewindApplication } from '@kaskade/core';
import type { RewindApplicationOptions } from '@kaskade/core';
import type { CliIo } from './cli-io.js';
import { withConnectionOptions } from './common-options.js';
import type { ConnectionOptions } from './common-options.js';
import { withProgress } from './with-progress.js';

const connection = (flags: ConnectionOptions) => ({
  applicationId: flags.applicationId,
  bootstrapServers: flags.bootstrapServers,
  ...(flags.config ? { clientConfig: flags.config } : {}),
});

/** `kaskade pause`: every replica stops processing, now and when started later. */
export function pauseCommand(io: CliIo): Command {
  const command = new Command('pause').description(
    'Pause every replica of a running application (through its control topic): no processing, punctuation or ' +
      'output until resumed; replicas stay in the group, and replicas started later start paused',
  );
  withConnectionOptions(command);
  return command.action(async (flags: ConnectionOptions) => {
    await withProgress(io, `pausing ${flags.applicationId}`, pauseApplication(connection(flags)));
    io.out(`paused application '${flags.applicationId}'`);
  });
}

/** `kaskade resume`. */
export function resumeCommand(io: CliIo): Command {
  const command = new Command('resume').description('Resume every replica of a paused application');
  withConnectionOptions(command);
  return command.action(async (flags: ConnectionOptions) => {
    await withProgress(io, `resuming ${flags.applicationId}`, resumeApplication(connection(flags)));
    io.out(`resumed application '${flags.applicationId}'`);
  });
}

interface RewindFlags extends ConnectionOptions {
  readonly toEarliest?: boolean;
  readonly toDatetime?: string;
  readonly byDuration?: string;
  readonly toOffset?: readonly { topic: string; partition: number; offset: number }[];
  readonly state: 'keep' | 'rebuild';
  readonly acknowledgeTimeout: number;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive number of ms, got '${value}'`);
  return n;
}

const TARGETS = ['toEarliest', 'toDatetime', 'byDuration', 'toOffset'];
const others = (name: string): string[] => TARGETS.filter((t) => t !== name);

type PartitionOffset = { topic: string; partition: number; offset: number };

/** `topic:partition=offset` (repeatable). */
function collectOffsets(value: string, previous: readonly PartitionOffset[] | undefined): PartitionOffset[] {
  const m = /^([a-zA-Z0-9._-]+):(\d+)=(\d+)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected topic:partition=offset, got '${value}'`);
  return [...(previous ?? []), { topic: m[1]!, partition: Number(m[2]), offset: Number(m[3]) }];
}

/** `kaskade rewind`: every replica reprocesses its input partitions from a point, each partition exactly once. */
export function rewindCommand(io: CliIo): Command {
  const command = new Command('rewind')
    .description(
      'Rewind a running application (every replica, through its control topic): each input partition is moved to ' +
        'the target once by its owner and processed again from there. Stateful steps reprocess on top of their ' +
        'state (--state keep, the default), or from empty state (--state rebuild: the application is paused, every ' +
        'replica acknowledges, changelogs and repartition topics are truncated, stores wiped, and it resumes)',
    )
    .addOption(new Option('--to-earliest', 'to the earliest offsets (the default)').conflicts(others('toEarliest')))
    .addOption(
      new Option('--to-datetime <iso>', 'to the first record at or after an ISO-8601 date-time').conflicts(
        others('toDatetime'),
      ),
    )
    .addOption(
      new Option('--by-duration <PnDTnHnM>', 'to the first record within an ISO-8601 duration back from now').conflicts(
        others('byDuration'),
      ),
    )
    .addOption(
      new Option('--to-offset <topic:partition=offset>', 'to an explicit offset of one partition (repeatable)')
        .argParser(collectOffsets)
        .conflicts(others('toOffset')),
    )
    .addOption(
      new Option(
        '--state <mode>',
        "'keep': reprocess on top of the state; 'rebuild': wipe every store and reprocess as a new application would",
      )
        .choices(['keep', 'rebuild'])
        .default('keep'),
    )
    .addOption(
      new Option(
        '--acknowledge-timeout <ms>',
        '--state rebuild: how long to wait for every replica to acknowledge the pause',
      )
        .argParser(positiveInteger)
        .default(60_000),
    );
  withConnectionOptions(command);
  return command.action(async (flags: RewindFlags) => {
    const options: RewindApplicationOptions = {
      ...connection(flags),
      state: flags.state,
      acknowledgeTimeoutMs: flags.acknowledgeTimeout,
      ...(flags.toDatetime !== undefined ? { toDatetime: flags.toDatetime } : {}),
      ...(flags.byDuration !== undefined ? { byDuration: flags.byDuration } : {}),
      ...(flags.toOffset !== undefined ? { toOffsets: flags.toOffset } : {}),
    };
    const command = await withProgress(io, `rewinding ${flags.applicationId}`, rewindApplication(options));
    const target =
      command.target.kind === 'timestamp'
        ? `records from ${new Date(command.target.timestampMs).toISOString()}`
        : command.target.kind === 'earliest'
          ? 'the earliest offsets'
          : command.target.offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(', ');
    const state =
      command.state === 'rebuild'
        ? '; state rebuilt from there (every replica paused and acknowledged, changelogs and repartition topics ' +
          'truncated, stores wiped; resumed unless it was paused before)'
        : '';
    io.out(`rewind ${command.id} of application '${flags.applicationId}' issued: to ${target}${state}`);
  });
}
