import { Command, Option } from 'commander';
import { formatResetPlan, resetApplication } from '@kaskade/core';
import type { ResetApplicationOptions } from '@kaskade/core';
import type { CliIo } from './cli-io.js';
import { integer, withConnectionOptions } from './common-options.js';
import type { ConnectionOptions } from './common-options.js';
import { withProgress } from './with-progress.js';

interface ResetFlags extends ConnectionOptions {
  readonly inputTopics?: string;
  readonly toEarliest?: boolean;
  readonly toLatest?: boolean;
  readonly toDatetime?: string;
  readonly byDuration?: string;
  readonly toOffset?: number;
  readonly shiftBy?: number;
  readonly fromFile?: string;
  readonly dryRun?: boolean;
  readonly stateDir?: string;
}

// commander names options in conflicts() by their attribute (camel-case) names.
const TARGETS = ['toEarliest', 'toLatest', 'toDatetime', 'byDuration', 'toOffset', 'shiftBy', 'fromFile'];
const others = (name: string): string[] => TARGETS.filter((t) => t !== name);

/** `kaskade reset`: Kafka Streams' application reset tool. */
export function resetCommand(io: CliIo): Command {
  const command = new Command('reset')
    .description(
      "Reset an application for reprocessing: move its group's committed input offsets, delete its internal topics " +
        '(changelogs, repartition topics) and, with --state-dir, its local state. Every instance must be stopped.',
    )
    .option('--input-topics <topics>', 'comma-separated input topics (default: every topic the group committed on)')
    .addOption(new Option('--to-earliest', 'to the earliest offsets (the default)').conflicts(others('toEarliest')))
    .addOption(new Option('--to-latest', 'to the end of the input').conflicts(others('toLatest')))
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
      new Option('--to-offset <n>', 'to offset n in every partition')
        .argParser(integer('--to-offset'))
        .conflicts(others('toOffset')),
    )
    .addOption(
      new Option('--shift-by <n>', 'move each committed offset by n (negative: back)')
        .argParser(integer('--shift-by'))
        .conflicts(others('shiftBy')),
    )
    .addOption(
      new Option('--from-file <file>', 'to the offsets of a CSV file of topic,partition,offset lines').conflicts(
        others('fromFile'),
      ),
    )
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(
      new Option('--delete-internal-topics', 'delete the internal topics (the default)').conflicts(
        'keepInternalTopics',
      ),
    )
    .option('--keep-internal-topics', 'keep the internal topics (repartition topics are skipped to their end)')
    .option('--state-dir <dir>', "the application's stateDir: its local state there is deleted too");
  withConnectionOptions(command);
  return command.action(async (flags: ResetFlags & { keepInternalTopics?: boolean }) => {
    const options: ResetApplicationOptions = {
      applicationId: flags.applicationId,
      bootstrapServers: flags.bootstrapServers,
      ...(flags.config ? { clientConfig: flags.config } : {}),
      deleteInternalTopics: !flags.keepInternalTopics,
      ...(flags.inputTopics !== undefined ? { inputTopics: splitList(flags.inputTopics) } : {}),
      ...(flags.toEarliest ? { toEarliest: true } : {}),
      ...(flags.toLatest ? { toLatest: true } : {}),
      ...(flags.toDatetime !== undefined ? { toDatetime: flags.toDatetime } : {}),
      ...(flags.byDuration !== undefined ? { byDuration: flags.byDuration } : {}),
      ...(flags.toOffset !== undefined ? { toOffset: flags.toOffset } : {}),
      ...(flags.shiftBy !== undefined ? { shiftBy: flags.shiftBy } : {}),
      ...(flags.fromFile !== undefined ? { fromFile: flags.fromFile } : {}),
      ...(flags.dryRun ? { dryRun: true } : {}),
      ...(flags.stateDir !== undefined ? { stateDir: flags.stateDir } : {}),
    };
    const plan = await withProgress(io, `resetting ${flags.applicationId}`, resetApplication(options));
    io.out(formatResetPlan(plan));
  });
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}
