import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open } from 'lmdb';
import { verifyLmdbInChildProcess } from './lmdb-child-verifier.js';
import { LmdbEnvironment } from './lmdb-environment.js';
import { checkLmdbTrees } from './lmdb-tree-check.js';

const OPTIONS = { keyEncoding: 'binary', encoding: 'binary', compression: false, cache: false } as const;
const PAGE = 4096;

/**
 * An environment with five named DBs and small and overflowing values; with `rounds` > 1, also deletions and several
 * commits (free pages). Damage tests use one round, so that the middle page of the file is in use.
 */
async function writeEnvironment(dir: string, rounds = 1, keys = 3_000): Promise<void> {
  const root = open<Buffer, Buffer>({ path: dir, maxDbs: 100, noSubdir: false, ...OPTIONS });
  for (let round = 0; round < rounds; round++) {
    root.transactionSync(() => {
      for (let d = 0; d < 5; d++) {
        const db = root.openDB<Buffer, Buffer>(`kv:store-${d}`, OPTIONS);
        for (let i = round; i < keys; i += 2) {
          const size = i % 97 === 0 ? 9_000 : 8 + (i % 50);
          db.putSync(Buffer.from(`key-${String(i).padStart(6, '0')}-of-store-${d}`), Buffer.alloc(size, i + round));
        }
        if (rounds > 1)
          for (let i = 0; i < keys; i += 7 + round)
            db.removeSync(Buffer.from(`key-${String(i).padStart(6, '0')}-of-store-${d}`));
      }
    });
  }
  await root.close();
}

type Damage = 'random-middle-page' | 'sixteen-bytes-per-page' | 'zeroed-middle-page';

/**
 * The damage of the issue: a whole page in the middle of the file, or the first 16 bytes of every page. The middle
 * page is the first tree page (branch or leaf) from the middle on: damage inside a large value is invisible to LMDB
 * (it keeps no checksums) and to any check.
 */
function damage(file: string, kind: Damage): void {
  const pages = fs.statSync(file).size / PAGE;
  const fd = fs.openSync(file, 'r+');
  try {
    const header = Buffer.alloc(24);
    let middle = Math.floor(pages / 2);
    for (; middle < pages; middle++) {
      fs.readSync(fd, header, 0, 24, middle * PAGE);
      if (header.readUInt32LE(0) === middle && (header.readUInt16LE(18) & 0x03) !== 0) break;
    }
    if (kind === 'random-middle-page') fs.writeSync(fd, randomBytes(PAGE), 0, PAGE, middle * PAGE);
    if (kind === 'zeroed-middle-page') fs.writeSync(fd, Buffer.alloc(PAGE), 0, PAGE, middle * PAGE);
    if (kind === 'sixteen-bytes-per-page') {
      for (let p = 2; p < pages; p++) fs.writeSync(fd, randomBytes(16), 0, 16, p * PAGE);
    }
  } finally {
    fs.closeSync(fd);
  }
}

describe('checkLmdbTrees', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaskade-tree-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Guards an lmdb upgrade: a changed page layout fails here instead of wiping every store after a crash.
  it('should accept the files that the installed lmdb writes (named DBs, overflow values, free pages)', async () => {
    await writeEnvironment(dir, 4);
    expect(checkLmdbTrees(path.join(dir, 'data.mdb'))).toBeUndefined();
  });

  it.each<Damage>(['random-middle-page', 'sixteen-bytes-per-page', 'zeroed-middle-page'])(
    'should find a %s without crashing',
    async (kind) => {
      await writeEnvironment(dir);
      damage(path.join(dir, 'data.mdb'), kind);
      expect(checkLmdbTrees(path.join(dir, 'data.mdb'))).toMatch(/data\.mdb: .*page \d+/);
    },
  );
});

describe('verifyLmdbInChildProcess', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaskade-verify-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('should read a sound environment through and leave its data file unchanged', async () => {
    await writeEnvironment(dir, 4);
    const before = fs.readFileSync(path.join(dir, 'data.mdb'));
    const result = verifyLmdbInChildProcess(dir, 100, 60_000);
    expect(result.problem).toBeUndefined();
    expect(fs.readFileSync(path.join(dir, 'data.mdb')).equals(before)).toBe(true);
  });

  // LMDB crashes on these (SIGSEGV, SIGBUS or an assertion's SIGABRT, depending on the bytes); in the child process
  // a crash is only the verdict.
  it.each<Damage>(['sixteen-bytes-per-page', 'zeroed-middle-page'])(
    'should report a %s as a problem, a crash of the verifier included',
    async (kind) => {
      await writeEnvironment(dir);
      damage(path.join(dir, 'data.mdb'), kind);
      const result = verifyLmdbInChildProcess(dir, 100, 60_000);
      expect(result.problem).toMatch(/crashed the verifier process \(SIG[A-Z]+\)|MDB_|readable entries/);
    },
  );
});

describe('LmdbEnvironment.open after a crash', () => {
  let dir: string;
  const logs: string[] = [];
  const options = { maxDbs: 100, logger: (m: string) => logs.push(m), taskId: '0_0' };
  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kaskade-open-')), 'lmdb');
    logs.length = 0;
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  function writeThroughEnvironment(): void {
    const env = LmdbEnvironment.open(dir, options);
    env.transaction(() => {
      for (let i = 0; i < 3_000; i++)
        env.table('kv:counts').write(Buffer.from(`key-${i}-padding-padding`), Buffer.alloc(8, i));
      env.writeOffset('app-counts-changelog:0', 2_999);
    });
    env.close();
  }

  /** What a process that died with the environment open leaves behind. */
  function markDiedOpen(crashes: number): void {
    fs.writeFileSync(path.join(dir, 'kaskade-owner.json'), JSON.stringify({ state: 'open', crashes }));
  }

  it('should open a cleanly closed, untouched store without a check, and keep its data', () => {
    writeThroughEnvironment();
    const env = LmdbEnvironment.open(dir, options);
    expect(env.wasReset).toBe(false);
    expect(env.committedOffset('app-counts-changelog:0')).toBe(2_999);
    env.close();
    expect(logs).toEqual([]);
  });

  it('should wipe a store damaged while closed (the file changed after a clean close)', () => {
    writeThroughEnvironment();
    damage(path.join(dir, 'data.mdb'), 'sixteen-bytes-per-page');
    const env = LmdbEnvironment.open(dir, options);
    expect(env.wasReset).toBe(true);
    expect(env.committedOffset('app-counts-changelog:0')).toBeUndefined();
    env.close();
    expect(logs.join('\n')).toMatch(new RegExp(`state directory ${dir} is unreadable .*page`));
  });

  it('should wipe a store damaged after its owner died with it open', () => {
    writeThroughEnvironment();
    markDiedOpen(0);
    damage(path.join(dir, 'data.mdb'), 'random-middle-page');
    const env = LmdbEnvironment.open(dir, options);
    expect(env.wasReset).toBe(true);
    env.close();
  });

  it('should keep a sound store whose owner died with it open, and read it through in a child after two crashes', () => {
    writeThroughEnvironment();
    markDiedOpen(0);
    let env = LmdbEnvironment.open(dir, options);
    expect(env.wasReset).toBe(false);
    expect(logs).toEqual([]); // one crash: the in-process structural check only
    // This owner dies too: the next open is the second in a row that finds its owner dead.
    env.close();
    markDiedOpen(1);
    env = LmdbEnvironment.open(dir, options);
    expect(env.wasReset).toBe(false);
    expect(env.committedOffset('app-counts-changelog:0')).toBe(2_999);
    env.close();
    expect(logs.join('\n')).toMatch(
      /died with it open 2 times in a row; read it through in a child process .*no damage found/,
    );
  });
});
