import { Command, CommanderError } from 'commander';
import { ConfigError, StreamsError } from '@kaskade/processor-api';
import { ExitCode, processIo } from './cli-io.js';
import type { CliIo } from './cli-io.js';
import { resetCommand } from './reset-command.js';
import { statusCommand } from './status-command.js';
import { pauseCommand, resumeCommand, rewindCommand } from './control-commands.js';

/** Reasons of an ApplicationResetError that are the user's input, not the cluster's state. */
const BAD_INPUT_REASONS = new Set([
  'unknown-application',
  'unknown-topic',
  'bad-offsets',
  'bad-target',
  'bad-state',
  'unsupported',
]);

/**
 * Runs the `kaskade` command line with `argv` (without `node` and the script) and resolves to its exit code: 0 done,
 * 1 failed or refused (e.g. the group still has members), 2 bad input (a usage error, an unknown application or
 * topic, an unparsable date) — reported as one line on the error stream.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<ExitCode> {
  const program = new Command('kaskade')
    .description('Operate Kaskade applications: reset, pause, resume and rewind them, and show their status')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    });
  for (const sub of [resetCommand(io), pauseCommand(io), resumeCommand(io), rewindCommand(io), statusCommand(io)]) {
    program.addCommand(
      sub.exitOverride().configureOutput({
        writeOut: (s) => io.out(s.replace(/\n$/, '')),
        writeErr: (s) => io.err(s.replace(/\n$/, '')),
      }),
    );
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with code 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    const error = e as Error;
    io.err(`kaskade: ${error.message}`);
    if (e instanceof ConfigError) return ExitCode.badInput;
    if (e instanceof StreamsError && BAD_INPUT_REASONS.has(String(e.context['reason']))) return ExitCode.badInput;
    return ExitCode.failed;
  }
}
