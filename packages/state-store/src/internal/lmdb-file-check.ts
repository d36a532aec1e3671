// Checks an LMDB data file before lmdb-js opens it. lmdb-js 3.x crashes the process (SIGSEGV in its native
// environment cleanup) when LMDB refuses a data file — a garbage file, an empty or truncated one, another format
// version — instead of throwing. A crash there would become a crash loop of the whole application, so we check the
// two meta pages ourselves and treat a file that fails the check like any unreadable state: delete and restore.
//
// The layout checked is what the LMDB build inside lmdb-js writes (a test opens a fresh environment and checks that
// it passes, so a format change in an lmdb upgrade fails CI instead of wiping state at run time):
//   page header (24 bytes: pgno, txnid, pad, flags, lower/upper) then the meta:
//   +0 magic 0xBEEFC0DE, +4 data version (2), +8 address, +16 map size,
//   +24 free DB record (its first field holds the page size), +72 main DB record, +120 last page number, +128 txnid.
import fs from 'node:fs';

const PAGE_HEADER_BYTES = 24;
const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const META_BYTES = 136;
const P_META = 0x08;

/**
 * Undefined when the file looks like an LMDB data file that this lmdb build can open, else the reason it cannot.
 * Throws when the file cannot be read at all (permissions): that is no reason to delete it.
 */
export function checkLmdbDataFile(path: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // a fresh environment
    throw error; // permissions and the like: not a reason to delete anything
  }
  if (!stat.isFile()) return `${path} is not a file`;
  if (stat.size === 0) return undefined; // LMDB initialises an empty file
  const size = stat.size;
  const fd = fs.openSync(path, 'r');
  try {
    const first = readAt(fd, 0, PAGE_HEADER_BYTES + META_BYTES);
    if (first === undefined) return `${path} is too small (${size} bytes) to be an LMDB data file`;
    const firstProblem = checkMeta(first, 0);
    if (firstProblem !== undefined) return `${path}: first meta page ${firstProblem}`;
    const pageSize = first.readUInt32LE(PAGE_HEADER_BYTES + 24);
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
      return `${path}: implausible page size ${pageSize}`;
    }
    if (size < 2 * pageSize) return `${path} is truncated (${size} bytes, page size ${pageSize})`;
    const second = readAt(fd, pageSize, PAGE_HEADER_BYTES + META_BYTES);
    if (second === undefined) return `${path} is truncated`;
    const secondProblem = checkMeta(second, 1);
    if (secondProblem !== undefined) return `${path}: second meta page ${secondProblem}`;
    for (const meta of [first, second]) {
      const lastPage =
        meta.readUInt32LE(PAGE_HEADER_BYTES + 120) + meta.readUInt32LE(PAGE_HEADER_BYTES + 124) * 2 ** 32;
      if ((lastPage + 1) * pageSize > size) {
        return `${path} is truncated (${size} bytes, but its meta page refers to page ${lastPage})`;
      }
    }
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): Buffer | undefined {
  const buffer = Buffer.alloc(length);
  return fs.readSync(fd, buffer, 0, length, position) === length ? buffer : undefined;
}

function checkMeta(page: Buffer, pageNumber: number): string | undefined {
  if (page.readUInt32LE(0) !== pageNumber || page.readUInt32LE(4) !== 0) return 'has a wrong page number';
  if ((page.readUInt16LE(18) & P_META) === 0) return 'is not flagged as a meta page';
  if (page.readUInt32LE(PAGE_HEADER_BYTES) !== MAGIC) return 'has no LMDB magic number';
  const version = page.readUInt32LE(PAGE_HEADER_BYTES + 4);
  if (version !== DATA_VERSION) return `has data format version ${version}, expected ${DATA_VERSION}`;
  return undefined;
}
