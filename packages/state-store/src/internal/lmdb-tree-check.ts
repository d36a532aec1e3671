// A structural check of an LMDB data file, done with plain file reads: it can report damage but never crash. LMDB
// trusts its pages: a page whose header was overwritten makes lmdb-js crash the process (SIGSEGV, SIGBUS, an abort on
// an assertion) or, at best, throw MDB_CORRUPTED in the middle of processing. Before a store that may be damaged is
// opened (its previous owner died while it was open, or the file changed while it was closed), this walks every tree
// that the current meta page refers to — the free-page DB, the main DB and each named DB — and checks each page the
// way LMDB will rely on it: its page number, its transaction id (a page "newer" than the last commit is written in
// place by the next write transaction, through a read-only map), its type, the bounds of its nodes, the overflow
// pages of large values, and finally the page and entry counts of each DB record.
//
// The layout is the one of the LMDB build inside lmdb-js (mdb.c of lmdb 3.x, data version 2; a test checks that
// fresh environments with every kind of content pass): a 24-byte page header (pgno u64, txnid u64, pad u16, flags
// u16, lower u16, upper u16 — or the overflow page count u32), node offsets relative to the end of the header; a node
// is lo u16, hi u16, flags u16, ksize u16, then key and data; a DB record is pad u32, flags u16, depth u16, branch,
// leaf and overflow page counts, entries and root (u64 each).
import fs from 'node:fs';

const HEADER = 24;
const NODE_HEADER = 8;
const DB_RECORD = 48;
const META_DBS = HEADER + 24; // free DB record, then the main DB record
const META_LAST_PAGE = HEADER + 120;
const META_TXNID = HEADER + 128;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04;
/** The most neighbouring pages read at once. */
const MAX_RUN_PAGES = 256;

interface DbRecord {
  readonly name: string;
  readonly depth: number;
  readonly branchPages: number;
  readonly leafPages: number;
  readonly overflowPages: number;
  readonly entries: number;
  readonly root: number | undefined;
}

/** What a tree walk found, to compare with the DB record. */
interface Counts {
  branchPages: number;
  leafPages: number;
  overflowPages: number;
  entries: number;
}

class Damaged extends Error {}

/**
 * Undefined when every page reachable from the current meta page of the LMDB data file at `file` is consistent, else
 * a description of the first damage found. Expects a file that passed `checkLmdbDataFile` (valid meta pages). Cost:
 * one read of every page in use (about 1–2 ms per MB of data).
 */
export function checkLmdbTrees(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    new TreeWalker(fd, fs.fstatSync(fd).size).walkAll();
    return undefined;
  } catch (error) {
    if (error instanceof Damaged) return `${file}: ${error.message}`;
    throw error;
  } finally {
    fs.closeSync(fd);
  }
}

class TreeWalker {
  readonly #fd: number;
  readonly #fileSize: number;
  #pageSize = 0;
  #lastPage = 0;
  #txnid = 0;
  #visited = new Uint8Array(0);

  constructor(fd: number, fileSize: number) {
    this.#fd = fd;
    this.#fileSize = fileSize;
  }

  walkAll(): void {
    const meta = this.#currentMeta();
    this.#visited = new Uint8Array(this.#lastPage + 1);
    this.#walkDb(readDbRecord(meta, META_DBS, 'the free-page DB'), undefined);
    const named: DbRecord[] = [];
    this.#walkDb(readDbRecord(meta, META_DBS + DB_RECORD, 'the main DB'), named);
    for (const db of named) this.#walkDb(db, undefined);
  }

  /** The meta page with the larger transaction id is the current one (LMDB alternates between the two). */
  #currentMeta(): Buffer {
    const head = Buffer.alloc(HEADER + 136);
    fs.readSync(this.#fd, head, 0, head.length, 0);
    this.#pageSize = head.readUInt32LE(META_DBS);
    const second = Buffer.alloc(HEADER + 136);
    fs.readSync(this.#fd, second, 0, second.length, this.#pageSize);
    const meta = head.readBigUInt64LE(META_TXNID) >= second.readBigUInt64LE(META_TXNID) ? head : second;
    this.#txnid = Number(meta.readBigUInt64LE(META_TXNID));
    this.#lastPage = Number(meta.readBigUInt64LE(META_LAST_PAGE));
    if (this.#lastPage < 1 || (this.#lastPage + 1) * this.#pageSize > this.#fileSize) {
      throw new Damaged(`the meta page's last page ${this.#lastPage} lies outside the file`);
    }
    return meta;
  }

  /**
   * Walks one DB's tree level by level and compares what it holds with the DB's record. Collects named DBs into
   * `named`. Each level's pages are read in page order, neighbours in one read: far fewer reads than page by page.
   */
  #walkDb(db: DbRecord, named: DbRecord[] | undefined): void {
    const counts: Counts = { branchPages: 0, leafPages: 0, overflowPages: 0, entries: 0 };
    let level = db.root === undefined ? [] : [db.root];
    for (let depth = db.depth; level.length > 0; depth--) {
      if (depth < 1) throw new Damaged(`${db.name}: the tree is deeper than its record says`);
      const next: number[] = [];
      this.#readInOrder(db, level, (pgno, page) => this.#walkPage(db, pgno, page, depth, counts, named, next));
      level = next;
    }
    if (
      counts.branchPages !== db.branchPages ||
      counts.leafPages !== db.leafPages ||
      counts.overflowPages !== db.overflowPages ||
      counts.entries !== db.entries
    ) {
      throw new Damaged(
        `${db.name}: its record counts ${db.branchPages}/${db.leafPages}/${db.overflowPages} branch/leaf/overflow ` +
          `pages and ${db.entries} entries, its tree holds ${counts.branchPages}/${counts.leafPages}/` +
          `${counts.overflowPages} and ${counts.entries}`,
      );
    }
  }

  /** Reads the pages `pgnos` in page order, runs of neighbours at once, and hands each (checked) to `visit`. */
  #readInOrder(db: DbRecord, pgnos: number[], visit: (pgno: number, page: Buffer) => void): void {
    pgnos.sort((x, y) => x - y);
    for (let i = 0; i < pgnos.length;) {
      let end = i + 1;
      while (end < pgnos.length && end - i < MAX_RUN_PAGES && pgnos[end] === pgnos[end - 1]! + 1) end++;
      const first = pgnos[i]!;
      for (let k = i; k < end; k++) this.#claim(db, pgnos[k]!);
      const run = this.#read(first, end - i);
      for (let k = i; k < end; k++) {
        const page = run.subarray((k - i) * this.#pageSize, (k - i + 1) * this.#pageSize);
        this.#checkHeader(db, pgnos[k]!, page);
        visit(pgnos[k]!, page);
      }
      i = end;
    }
  }

  /** Checks one branch or leaf page, counts it, and collects its children into `next`. */
  #walkPage(
    db: DbRecord,
    pgno: number,
    page: Buffer,
    depth: number,
    counts: Counts,
    named: DbRecord[] | undefined,
    next: number[],
  ): void {
    const flags = page.readUInt16LE(18);
    const kind = flags & (P_BRANCH | P_LEAF | P_OVERFLOW);
    const expected = depth > 1 ? P_BRANCH : P_LEAF;
    if (kind !== expected) {
      throw new Damaged(
        `${db.name}: page ${pgno} has flags 0x${flags.toString(16)}, expected a ${depth > 1 ? 'branch' : 'leaf'} page`,
      );
    }
    const lower = page.readUInt16LE(20);
    const upper = page.readUInt16LE(22);
    const room = this.#pageSize - HEADER;
    if (lower % 2 !== 0 || lower > upper || upper > room || lower === 0) {
      throw new Damaged(`${db.name}: page ${pgno} has bad free-space bounds ${lower}..${upper}`);
    }
    const keys = lower / 2;
    if (kind === P_BRANCH) counts.branchPages++;
    else counts.leafPages++;
    for (let i = 0; i < keys; i++) {
      const offset = page.readUInt16LE(HEADER + 2 * i);
      if (offset < upper || offset + NODE_HEADER > room) {
        throw new Damaged(`${db.name}: page ${pgno} node ${i} lies outside the page (offset ${offset})`);
      }
      const node = HEADER + offset;
      const lo = page.readUInt16LE(node);
      const hi = page.readUInt16LE(node + 2);
      const nodeFlags = page.readUInt16LE(node + 4);
      const keySize = page.readUInt16LE(node + 6);
      const keyEnd = offset + NODE_HEADER + keySize;
      if (keyEnd > room) throw new Damaged(`${db.name}: page ${pgno} node ${i} has a key beyond the page`);
      if (kind === P_BRANCH) {
        next.push(lo + hi * 0x10000 + nodeFlags * 0x100000000);
        continue;
      }
      counts.entries++;
      const dataSize = lo + hi * 0x10000;
      if ((nodeFlags & F_BIGDATA) !== 0) {
        if (keyEnd + 8 > room) throw new Damaged(`${db.name}: page ${pgno} node ${i} has a value beyond the page`);
        const overflow = Number(page.readBigUInt64LE(node + NODE_HEADER + keySize));
        counts.overflowPages += this.#checkOverflow(db, overflow, dataSize);
        continue;
      }
      if (keyEnd + dataSize > room) throw new Damaged(`${db.name}: page ${pgno} node ${i} has a value beyond the page`);
      if ((nodeFlags & F_DUPDATA) !== 0) {
        throw new Damaged(`${db.name}: page ${pgno} node ${i} has duplicates, which Kaskade never writes`);
      }
      if ((nodeFlags & F_SUBDATA) !== 0) {
        if (named === undefined || dataSize !== DB_RECORD) {
          throw new Damaged(`${db.name}: page ${pgno} node ${i} is a misplaced named-DB record`);
        }
        const name = page.toString('utf8', node + NODE_HEADER, node + NODE_HEADER + keySize).replace(/\0$/, '');
        named.push(readDbRecord(page, node + NODE_HEADER + keySize, `DB "${name}"`));
      }
    }
  }

  /** Checks the first page of a value's overflow run; returns the run's length in pages. */
  #checkOverflow(db: DbRecord, pgno: number, dataSize: number): number {
    const page = this.#page(db, pgno);
    const flags = page.readUInt16LE(18);
    const pages = page.readUInt32LE(20);
    const needed = Math.floor((HEADER - 1 + dataSize) / this.#pageSize) + 1;
    if ((flags & P_OVERFLOW) === 0 || pages < needed || pgno + pages - 1 > this.#lastPage) {
      throw new Damaged(`${db.name}: overflow page ${pgno} is damaged (flags 0x${flags.toString(16)}, ${pages} pages)`);
    }
    for (let p = pgno + 1; p < pgno + pages; p++) this.#markVisited(db, p);
    return pages;
  }

  /** Page `pgno`, read alone and checked (the first page of an overflow run). */
  #page(db: DbRecord, pgno: number): Buffer {
    this.#claim(db, pgno);
    const page = this.#read(pgno, 1);
    this.#checkHeader(db, pgno, page);
    return page;
  }

  /** Checks that `pgno` is a page of the file in use, seen for the first time. */
  #claim(db: DbRecord, pgno: number): void {
    if (!Number.isSafeInteger(pgno) || pgno < 2 || pgno > this.#lastPage) {
      throw new Damaged(`${db.name}: refers to page ${pgno}, outside 2..${this.#lastPage}`);
    }
    this.#markVisited(db, pgno);
  }

  #read(first: number, count: number): Buffer {
    const bytes = count * this.#pageSize;
    const buffer = Buffer.allocUnsafe(bytes);
    if (fs.readSync(this.#fd, buffer, 0, bytes, first * this.#pageSize) !== bytes) {
      throw new Damaged(`pages ${first}..${first + count - 1} cannot be read`);
    }
    return buffer;
  }

  /** A page's own number and transaction id: what LMDB trusts when it reads and when it writes. */
  #checkHeader(db: DbRecord, pgno: number, page: Buffer): void {
    const own = page.readUInt32LE(0) + page.readUInt32LE(4) * 0x100000000;
    if (own !== pgno) throw new Damaged(`${db.name}: page ${pgno} says it is page ${own}`);
    const txnid = page.readUInt32LE(8) + page.readUInt32LE(12) * 0x100000000;
    if (txnid > this.#txnid) {
      throw new Damaged(`${db.name}: page ${pgno} has transaction id ${txnid}, after the last commit (${this.#txnid})`);
    }
  }

  #markVisited(db: DbRecord, pgno: number): void {
    if (this.#visited[pgno] === 1) throw new Damaged(`${db.name}: page ${pgno} is reached twice`);
    this.#visited[pgno] = 1;
  }
}

function readDbRecord(buffer: Buffer, at: number, name: string): DbRecord {
  const root = buffer.readBigUInt64LE(at + 40);
  return {
    name,
    depth: buffer.readUInt16LE(at + 6),
    branchPages: Number(buffer.readBigUInt64LE(at + 8)),
    leafPages: Number(buffer.readBigUInt64LE(at + 16)),
    overflowPages: Number(buffer.readBigUInt64LE(at + 24)),
    entries: Number(buffer.readBigUInt64LE(at + 32)),
    root: root === 0xffffffffffffffffn ? undefined : Number(root),
  };
}
