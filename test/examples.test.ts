// Every runnable example, run as a user runs it (its own process, `node --import tsx examples/<name>.ts`) against
// the shared broker (KASKADE_BOOTSTRAP_SERVERS, set by the global setup). Each example checks its own result and
// exits non-zero when it is wrong; the test also asserts the lines where it reports that result.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bootstrapServers } from './broker-context.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function runExample(name: string): Promise<string> {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=kaskade-source', '--import', 'tsx', `examples/${name}.ts`],
      {
        cwd: ROOT,
        env: { ...process.env, KASKADE_BOOTSTRAP_SERVERS: bootstrapServers() },
        timeout: 150_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return stdout;
  } catch (e) {
    // A failing example says why on its own output: show it.
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`examples/${name}.ts failed:\n${stdout}\n${stderr}`, { cause: e });
  }
}

describe('examples', () => {
  it('should run word-count: the store and the output topic agree on every count', async () => {
    const out = await runExample('word-count');
    expect(out).toMatch(/\[word-count\] \d+ updates for \d+ words in /);
    expect(out).toMatch(/^ {2}the +\d+$/m);
    expect(out).toMatch(/store and topic agree$/m);
  });

  it('should run page-views: one final count per page and minute, the late view dropped', async () => {
    const out = await runExample('page-views');
    expect(out).toMatch(/\[page-views\] \d+ final counts \(one per page and minute\)/);
    expect(out).toMatch(/\[page-views\] 1 late view\(s\) dropped, 0 repeated result\(s\)/);
  });

  it('should run orders-processor-api: running totals per customer, invalid orders to the failure topic', async () => {
    const out = await runExample('orders-processor-api');
    for (const customer of ['ada', 'grace', 'linus', 'margaret']) {
      expect(out).toMatch(new RegExp(`running total of ${customer}: (\\d+) cents \\(expected \\1\\)`));
    }
    expect(out).toMatch(/\[orders\] 900 enriched, 100 failed \(expected 900 and 100\)/);
  });

  it('should run the pipeline (npm start): every accepted order is enriched or dropped as a duplicate', async () => {
    const out = await runExample('main');
    const count = (label: string) => Number(new RegExp(`^ {2}${label} +(\\d+)`, 'm').exec(out)?.[1]);
    expect(count('orders in')).toBeGreaterThan(0);
    expect(count('failed')).toBeGreaterThan(0);
    expect(count('duplicates dropped')).toBeGreaterThan(0);
    expect(count('accepted \\(valid\\)')).toBe(count('duplicates dropped') + count('enriched'));
  });
});
