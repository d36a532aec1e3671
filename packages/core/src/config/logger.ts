/** Severity of a log message, from least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured data attached to a log message (topic, partition, offset, the error, ...). */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where Kaskade writes its logs. Four methods, each taking a message and optional structured fields, so any logging
 * library fits in a few lines:
 *
 * ```ts
 * const logger: Logger = {
 *   debug: (msg, fields) => pino.debug(fields, msg),
 *   info: (msg, fields) => pino.info(fields, msg),
 *   warn: (msg, fields) => pino.warn(fields, msg),
 *   error: (msg, fields) => pino.error(fields, msg),
 * };
 * ```
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Options of {@link consoleLogger}. */
export interface ConsoleLoggerOptions {
  /** The least severe level that is printed; `info` by default. */
  readonly level?: LogLevel;
  /** The console to print to; the global one by default. */
  readonly console?: Pick<Console, LogLevel>;
}

/**
 * A logger that prints to the console (`console.debug`/`info`/`warn`/`error`), `info` and above unless told
 * otherwise. It is the default logger of `StreamsConfig`.
 */
export function consoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const threshold = SEVERITY[options.level ?? 'info'];
  const out = options.console ?? console;
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (SEVERITY[level] < threshold) return;
      const line = `${new Date().toISOString()} ${level.toUpperCase()} [kaskade] ${message}`;
      if (fields === undefined || Object.keys(fields).length === 0) out[level](line);
      else out[level](line, fields);
    };
  return Object.freeze({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') });
}

const ignore = (): void => {};

/** A logger that drops everything (tests, or when the application logs through other means). */
export const silentLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });
