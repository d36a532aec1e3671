// Reads an LMDB environment through in a child process, where a crash is only a verdict. Damage that the structural
// check does not see can still make LMDB crash the process that reads it (SIGSEGV, SIGBUS, an abort on one of its
// assertions); a store whose owner died while it was open twice in a row is read here before the runtime uses it.
//
// The child runs a small plain-JS script given on the command line, which loads lmdb-js from the path this module
// resolves: it works the same from the workspace's TypeScript sources and from a build to dist/, with no file to
// copy next to the compiled output.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * The verifier: opens the environment, and in ONE write transaction that is always aborted, reads every named DB
 * through (counting entries against the DB's own record) and writes every entry back as it is. The writes make LMDB
 * touch (copy) every page of every tree, which is where a damaged page header crashes a writer; aborting keeps the
 * file as it was (LMDB writes nothing to the data file before a commit). Prints one JSON line.
 */
const VERIFIER_SOURCE = `
'use strict';
const [lmdbPath, dir, maxDbs] = process.argv.slice(1);
const { open } = require(lmdbPath);
const OPTIONS = { keyEncoding: 'binary', encoding: 'binary', compression: false, cache: false };
const LOWEST = Buffer.from([0]);
const ABORT = new Error('abort');
let problem;
let entries = 0;
try {
  const root = open({ path: dir, maxDbs: Number(maxDbs), noSubdir: false, ...OPTIONS });
  const names = [];
  for (const key of root.getKeys({ start: LOWEST })) names.push(key.toString('utf8').replace(/\\0$/, ''));
  root.transactionSync(() => {
    for (const name of names) {
      const db = root.openDB(name, { ...OPTIONS, create: false });
      const expected = db.getStats().entryCount;
      let count = 0;
      for (const { key, value } of db.getRange({ start: LOWEST })) {
        count++;
        db.putSync(key, value);
      }
      entries += count;
      if (count !== expected) {
        problem = 'DB "' + name + '" holds ' + count + ' readable entries, its record says ' + expected;
        throw ABORT;
      }
    }
    throw ABORT;
  });
} catch (error) {
  if (error !== ABORT) problem = String(error && error.message ? error.message : error);
}
process.stdout.write(JSON.stringify({ problem, entries }) + '\\n');
`;

/** Result of a verification in a child process. */
export interface ChildVerification {
  /** Undefined when the environment was read through; else what went wrong (a signal, an LMDB error). */
  readonly problem: string | undefined;
  readonly durationMs: number;
}

/**
 * Verifies the LMDB environment in `dir` in a child process (synchronously: the task cannot use its store before).
 * Gives up after `timeoutMs` (a verifier looping on a damaged tree): that counts as a failed verification.
 */
export function verifyLmdbInChildProcess(dir: string, maxDbs: number, timeoutMs: number): ChildVerification {
  const started = performance.now();
  const lmdbPath = createRequire(import.meta.url).resolve('lmdb');
  const result = spawnSync(process.execPath, ['-e', VERIFIER_SOURCE, lmdbPath, dir, String(maxDbs)], {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
    // The parent's loaders (tsx, a test runner's) are not needed for plain JS and only slow the child down.
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const durationMs = performance.now() - started;
  if (result.error !== undefined) {
    const timedOut = (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    if (!timedOut) throw result.error; // the verifier could not run at all: that says nothing about the store
    return { problem: `the verifier did not finish within ${timeoutMs} ms`, durationMs };
  }
  if (result.signal !== null) {
    return { problem: `reading it through crashed the verifier process (${result.signal})`, durationMs };
  }
  const line = result.stdout.trim().split('\n').pop() ?? '';
  let report: { problem?: string } | undefined;
  try {
    report = JSON.parse(line) as { problem?: string };
  } catch {
    report = undefined;
  }
  if (result.status !== 0 || report === undefined) {
    const stderr = result.stderr.trim().split('\n').slice(-3).join(' / ');
    return { problem: `the verifier exited with code ${result.status}: ${stderr || line}`, durationMs };
  }
  return { problem: report.problem, durationMs };
}
