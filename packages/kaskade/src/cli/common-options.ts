import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';

/** Options every command that talks to a cluster takes. */
export interface ConnectionOptions {
  readonly applicationId: string;
  readonly bootstrapServers: string;
  readonly config?: Record<string, string>;
}

/** `--config key=value` (repeatable): librdkafka settings for every client the command makes, e.g. security. */
function collectConfig(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got '${value}'`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Adds the connection options; the bootstrap servers default to `KASKADE_BOOTSTRAP_SERVERS`. */
export function withConnectionOptions(command: Command): Command {
  const fromEnv = process.env['KASKADE_BOOTSTRAP_SERVERS'];
  command.requiredOption('--application-id <id>', 'the application (consumer group) id');
  if (fromEnv) {
    command.option('--bootstrap-servers <servers>', 'host:port[,host:port...]', fromEnv);
  } else {
    command.requiredOption(
      '--bootstrap-servers <servers>',
      'host:port[,host:port...] (default: $KASKADE_BOOTSTRAP_SERVERS)',
    );
  }
  return command.option(
    '--config <key=value>',
    'a librdkafka setting for every client (repeatable), e.g. security.protocol=sasl_ssl',
    collectConfig,
  );
}

/** A whole number, or a usage error naming the option. */
export function integer(name: string): (value: string) => number {
  return (value) => {
    if (!/^[-+]?\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number, got '${value}'`);
    return Number(value);
  };
}
