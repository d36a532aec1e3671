/** Where the CLI writes: results to `out`, progress and errors to `err`. Tests pass their own. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether `err` is a terminal (progress then updates one line in place). */
  readonly interactive: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  interactive: process.stderr.isTTY === true,
};

/** Exit codes: 0 done; 1 the operation failed or was refused; 2 bad input (options, names, dates). */
export const ExitCode = { ok: 0, failed: 1, badInput: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
