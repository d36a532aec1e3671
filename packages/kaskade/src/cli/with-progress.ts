import type { CliIo } from './cli-io.js';

/**
 * Awaits `work`; once it has taken longer than a second, reports that it is still going, every second, on the error
 * stream: on a terminal one line rewritten in place, otherwise one line per report, so logs stay readable.
 */
export async function withProgress<T>(io: CliIo, label: string, work: Promise<T>): Promise<T> {
  const started = Date.now();
  let shown = false;
  const timer = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    shown = true;
    if (io.interactive) process.stderr.write(`\r${label}... ${seconds} s`);
    else io.err(`${label}... ${seconds} s`);
  }, 1000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    if (shown && io.interactive) process.stderr.write('\n');
  }
}
