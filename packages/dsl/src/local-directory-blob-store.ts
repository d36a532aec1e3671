import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlobStore } from './blob-store.js';
import { ClaimCheckError } from './claim-check-options.js';

const NAME = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)?$/;
const TEMP_SUFFIX = '.partial';

/**
 * Blobs as files in a local (or mounted, shared) directory: `<directory>/<topic>/sha256-<hex>`. A blob is written to
 * a temporary file and renamed into place, so a reader sees all of it or nothing; a writer that dies leaves only a
 * temporary file, which the retention sweep deletes like any blob.
 *
 * Every instance that resolves the records must see the directory: fine for one machine or a shared volume; across
 * machines use `S3BlobStore`.
 */
export class LocalDirectoryBlobStore implements BlobStore {
  readonly directory: string;

  constructor(directory: string) {
    if (typeof directory !== 'string' || directory === '') {
      throw new ClaimCheckError('LocalDirectoryBlobStore needs a directory path', { context: { field: 'directory' } });
    }
    this.directory = directory;
  }

  async put(name: string, data: Buffer): Promise<void> {
    const path = this.#path(name);
    const now = new Date();
    // Same name, same content: a retried upload only marks the blob as written now (the sweep goes by that time).
    const refreshed = await utimes(path, now, now).then(
      () => true,
      () => false,
    );
    if (refreshed) return;
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    await writeFile(temp, data);
    await rename(temp, path);
  }

  async get(name: string): Promise<Buffer> {
    try {
      return await readFile(this.#path(name));
    } catch (e) {
      throw new ClaimCheckError(`claim check: no blob '${name}' in ${this.directory} (deleted after retention?)`, {
        cause: e,
        context: { blob: name },
      });
    }
  }

  async deleteOlderThan(prefix: string, cutoffMs: number): Promise<number> {
    const slash = prefix.lastIndexOf('/');
    const dir = join(this.directory, prefix.slice(0, slash + 1));
    const start = prefix.slice(slash + 1);
    const entries = await readdir(dir, { recursive: slash < 0, withFileTypes: true }).catch(() => []);
    let deleted = 0;
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      if (!path.slice(dir.length).replace(/^\//, '').startsWith(start)) continue;
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || info.mtimeMs >= cutoffMs) continue;
      await rm(path, { force: true });
      deleted++;
    }
    return deleted;
  }

  #path(name: string): string {
    if (!NAME.test(name) || name.split('/').some((part) => part === '.' || part === '..')) {
      throw new ClaimCheckError(`claim check: bad blob name '${name}'`, { context: { blob: name } });
    }
    return join(this.directory, name);
  }
}
