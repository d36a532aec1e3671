import { describe, expect, it } from 'vitest';
import { ExitCode } from './cli-io.js';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

/** Runs the CLI in-process and collects what it writes. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const conn = ['--application-id', 'app', '--bootstrap-servers', '127.0.0.1:1'];

describe('kaskade CLI (no broker)', () => {
  it('should print help for the program and for each command, with exit code 0', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(ExitCode.ok);
    expect(top.out).toMatch(/Usage: kaskade \[options\] \[command\]/);
    expect(top.out).toMatch(/reset \[options\]/);
    expect(top.out).toMatch(/status \[options\]/);
    const reset = await cli('reset', '--help');
    expect(reset.code).toBe(ExitCode.ok);
    for (const flag of ['--to-earliest', '--to-datetime', '--by-duration', '--shift-by', '--from-file', '--dry-run']) {
      expect(reset.out).toContain(flag);
    }
  });

  it('should refuse bad input with one line and exit code 2, before connecting', async () => {
    const cases: [string[], RegExp][] = [
      [['reset', ...conn, '--to-datetime', 'yesterday'], /'yesterday' is not an ISO-8601 date-time/],
      [['reset', ...conn, '--by-duration', '3 days'], /'3 days' is not an ISO-8601 duration/],
      [['reset', ...conn, '--to-earliest', '--to-latest'], /'--to-earliest' cannot be used with option '--to-latest'/],
      [['reset', ...conn, '--to-offset', 'abc'], /--to-offset must be a whole number, got 'abc'/],
      [['reset', '--bootstrap-servers', 'x'], /required option '--application-id <id>' not specified/],
      [['reset', ...conn, '--from-file', '/no/such/file.csv'], /cannot read '\/no\/such\/file.csv'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['rewind', ...conn, '--state', 'wipe'], /argument 'wipe' is invalid. Allowed choices are keep, rebuild/],
      [['rewind', ...conn, '--state', 'rebuild', '--acknowledge-timeout', '0'], /expected a positive number of ms/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(ExitCode.badInput);
      expect(r.err.split('\n')[0], argv.join(' ')).toMatch(message);
    }
  });
});
