import { Command } from 'commander';
import { describeApplication, formatApplicationStatus } from '@kaskade/core';
import type { CliIo } from './cli-io.js';
import { withConnectionOptions } from './common-options.js';
import type { ConnectionOptions } from './common-options.js';
import { withProgress } from './with-progress.js';

/** `kaskade status`: the application's members, their partitions, committed offsets and lag. */
export function statusCommand(io: CliIo): Command {
  const command = new Command('status')
    .description("Show an application's members, their partitions, committed offsets and lag")
    .option('--json', 'print JSON instead of text');
  withConnectionOptions(command);
  return command.action(async (flags: ConnectionOptions & { readonly json?: boolean }) => {
    const status = await withProgress(
      io,
      `reading the status of ${flags.applicationId}`,
      describeApplication({
        applicationId: flags.applicationId,
        bootstrapServers: flags.bootstrapServers,
        ...(flags.config ? { clientConfig: flags.config } : {}),
      }),
    );
    io.out(flags.json ? JSON.stringify(status, null, 2) : formatApplicationStatus(status));
  });
}
