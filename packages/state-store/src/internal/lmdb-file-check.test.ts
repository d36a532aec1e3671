import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open } from 'lmdb';
import { checkLmdbDataFile } from './lmdb-file-check.js';

describe('checkLmdbDataFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(os.tmpdir() + '/kaskade-store-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Guards an lmdb upgrade: if the data format changed, this fails in CI instead of every store being wiped at start.
  it('should accept the files that the installed lmdb writes', async () => {
    const env = open<Buffer, Buffer>({ path: path.join(dir, 'env'), keyEncoding: 'binary', encoding: 'binary' });
    const db = env.openDB<Buffer, Buffer>('x', { keyEncoding: 'binary', encoding: 'binary' });
    expect(checkLmdbDataFile(path.join(dir, 'env', 'data.mdb'))).toBeUndefined();
    env.transactionSync(() => {
      for (let i = 0; i < 5_000; i++) db.putSync(Buffer.from(`key-${i}`), Buffer.alloc(200, i));
    });
    await env.close();
    expect(checkLmdbDataFile(path.join(dir, 'env', 'data.mdb'))).toBeUndefined();
  });

  it('should accept a missing or empty file and refuse garbage', () => {
    const file = path.join(dir, 'data.mdb');
    expect(checkLmdbDataFile(file)).toBeUndefined();
    fs.writeFileSync(file, '');
    expect(checkLmdbDataFile(file)).toBeUndefined();
    fs.writeFileSync(file, 'x'.repeat(100));
    expect(checkLmdbDataFile(file)).toMatch(/too small/);
    fs.writeFileSync(file, 'x'.repeat(10_000));
    expect(checkLmdbDataFile(file)).toMatch(/first meta page/);
  });
});
