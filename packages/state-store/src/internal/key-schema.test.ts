import { describe, expect, it } from 'vitest';
import { decodeStoredKey, SessionKeySchema, WindowKeySchema } from './key-schema.js';

function randomKeys(count: number): Buffer[] {
  let seed = 42;
  const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = [0x00, 0x01, 0x61, 0x62, 0xfe, 0xff];
  const keys: Buffer[] = [Buffer.alloc(0)];
  for (let i = 0; i < count; i++) {
    keys.push(Buffer.from(Array.from({ length: Math.floor(next() * 5) }, () => alphabet[Math.floor(next() * 6)]!)));
  }
  return keys;
}

describe('WindowKeySchema', () => {
  const schema = new WindowKeySchema(false);

  it('should order stored keys by key bytes, then window start, even when keys prefix each other', () => {
    const keys = randomKeys(300);
    const times = [0, 1, 255, 256, 1_700_000_000_000];
    const entries = keys.flatMap((key) => times.map((t) => ({ key, t, stored: schema.storedKey(key, t, 0) })));
    const byStored = [...entries].sort((x, y) => Buffer.compare(x.stored, y.stored));
    const byKeyThenTime = [...entries].sort((x, y) => Buffer.compare(x.key, y.key) || x.t - y.t);
    expect(byStored.map((e) => [e.key.toString('hex'), e.t])).toEqual(
      byKeyThenTime.map((e) => [e.key.toString('hex'), e.t]),
    );
  });

  it('should put exactly the windows of one key inside its time bounds', () => {
    const keys = randomKeys(200);
    for (const key of keys.slice(0, 40)) {
      const [lo, hi] = schema.keyTimeBounds(key, 10, 20);
      for (const other of keys) {
        for (const t of [9, 10, 20, 21]) {
          const stored = schema.storedKey(other, t, 0);
          const inside = Buffer.compare(stored, lo) >= 0 && Buffer.compare(stored, hi) <= 0;
          expect(inside).toBe(other.equals(key) && t >= 10 && t <= 20);
        }
      }
    }
  });

  it('should bound key ranges exactly', () => {
    const keys = randomKeys(200);
    const [from, to] = [Buffer.from([0x61]), Buffer.from([0x61, 0xff, 0x00])];
    const lo = schema.lowerKeyBound(from);
    const hi = schema.upperKeyBound(to);
    for (const key of keys) {
      const stored = schema.storedKey(key, 1_700_000_000_000, 0);
      const inside = Buffer.compare(stored, lo) >= 0 && Buffer.compare(stored, hi) <= 0;
      expect(inside).toBe(Buffer.compare(key, from) >= 0 && Buffer.compare(key, to) <= 0);
    }
  });

  it('should convert to and from the changelog format (key | start | seqnum)', () => {
    const dups = new WindowKeySchema(true);
    for (const key of randomKeys(100)) {
      const stored = dups.storedKey(key, 123_456, 7);
      const changelog = dups.toChangelogKey(stored);
      const expected = Buffer.alloc(key.length + 12);
      key.copy(expected);
      expected.writeBigUInt64BE(123_456n, key.length);
      expected.writeUInt32BE(7, key.length + 8);
      expect(changelog.toString('hex')).toBe(expected.toString('hex'));
      expect(dups.fromChangelogKey(changelog)?.toString('hex')).toBe(stored.toString('hex'));
      expect(dups.userKey(stored).toString('hex')).toBe(key.toString('hex'));
      expect(dups.windowStart(stored)).toBe(123_456);
    }
  });
});

describe('SessionKeySchema', () => {
  it('should convert to and from the changelog format (key | end | start)', () => {
    const schema = new SessionKeySchema();
    for (const key of randomKeys(100)) {
      const stored = schema.storedKey(key, 5, 9);
      const changelog = schema.toChangelogKey(stored);
      expect(changelog.subarray(0, key.length).equals(key)).toBe(true);
      expect(changelog.readBigUInt64BE(key.length)).toBe(9n);
      expect(changelog.readBigUInt64BE(key.length + 8)).toBe(5n);
      expect(schema.fromChangelogKey(changelog)?.equals(stored)).toBe(true);
      expect([schema.sessionStart(stored), schema.sessionEnd(stored)]).toEqual([5, 9]);
    }
  });
});

describe('decodeStoredKey', () => {
  it('should unescape zero bytes and find the suffix', () => {
    const stored = Buffer.from([0x61, 0x00, 0xff, 0x00, 0xff, 0x62, 0x00, 0x00, 0x09]);
    const { key, suffixOffset } = decodeStoredKey(stored);
    expect([...key]).toEqual([0x61, 0x00, 0x00, 0x62]);
    expect(suffixOffset).toBe(8);
  });
});

describe('window keys of int keys (0x00 bytes escaped)', () => {
  it('should turn stored keys back into the changelog layout and user keys, byte for byte', () => {
    const schema = new WindowKeySchema(false);
    for (const n of [0, 1, 255, 256, 9_999, 65_536, 0x01000000, -1]) {
      const key = Buffer.alloc(4);
      key.writeInt32BE(n);
      const stored = schema.storedKey(key, 1_000, 0);
      const changelog = schema.toChangelogKey(stored);
      expect([...changelog.subarray(0, 4)]).toEqual([...key]);
      expect(changelog.readBigUInt64BE(4)).toBe(1_000n);
      expect(changelog.length).toBe(12);
      expect([...schema.userKey(stored)]).toEqual([...key]);
      expect(schema.fromChangelogKey(changelog)?.equals(stored)).toBe(true);
    }
  });
});

describe('WindowKeySchema.lookupKey', () => {
  it('should give the stored key of a point lookup, for keys of any length, reusing its buffer', () => {
    const schema = new WindowKeySchema(false);
    for (const key of [Buffer.alloc(0), Buffer.from([0, 0, 1, 0]), Buffer.from('abc'), Buffer.alloc(100, 0)]) {
      expect(schema.lookupKey(key, 123_456).equals(schema.storedKey(key, 123_456, 0))).toBe(true);
    }
  });
});
