// Byte layouts of window and session store keys.
//
// Changelog keys follow Kafka Streams exactly, so that the topics are compatible with its tools:
//   window:  key | windowStart (8 bytes BE) [| seqnum (4 bytes BE), when retaining duplicates]   (WindowKeySchema)
//   session: key | sessionEnd (8 bytes BE) | sessionStart (8 bytes BE)                           (SessionKeySchema)
//
// Keys inside the store differ in one way: the user key is written in an order-preserving, prefix-free escape encoding
//   enc(key) = key with each 0x00 written as 0x00 0xFF, then the terminator 0x00 0x00
// followed by the same time suffix. With Kafka's raw layout, a key that is a prefix of another key ("a" and "ab", or
// "a" and "a\0...") interleaves with it, so a per-key time range scan picks up foreign entries and a key-range scan
// cannot have an exact upper bound (Kafka works around both by filtering and a heuristic bound). With enc(key):
//   - no encoded key is a prefix of another (the first 0x00 0x00 ends it), so [enc(k)|from, enc(k)|to|max] holds
//     exactly the windows of k, and [enc(a), enc(b)|max] exactly the keys in [a, b];
//   - enc preserves byte order (0x00 0xFF sorts after the terminator 0x00 0x00 and before any byte >= 0x01), so
//     entries sort by key bytes, then time.
// The cost is 2 bytes per key (plus one per 0x00 byte) and a copy when turning a stored key into a changelog key.
// Times are written unsigned; Kafka Streams never stores negative window times and neither do we.
import { readTimeBE, writeTimeBE } from './bytes.js';

const TERMINATOR_BYTES = 2;

/** Bytes of enc(key). A plain loop: int keys are short and full of 0x00 bytes (0 -> 00 00 00 00). */
function encodedLength(key: Buffer): number {
  let zeros = 0;
  for (let i = 0; i < key.length; i++) if (key[i] === 0) zeros++;
  return key.length + zeros + TERMINATOR_BYTES;
}

/** A buffer holding enc(key) followed by `suffixBytes` unwritten bytes. */
function encodeWithRoom(key: Buffer, suffixBytes: number): Buffer {
  const length = encodedLength(key);
  const out = Buffer.allocUnsafe(length + suffixBytes);
  encodeInto(key, length, out);
  return out;
}

/** Writes enc(key) (`length` bytes, see `encodedLength`) into `out` at 0. */
function encodeInto(key: Buffer, length: number, out: Buffer): void {
  if (length === key.length + TERMINATOR_BYTES) {
    key.copy(out, 0);
  } else {
    let o = 0;
    for (let i = 0; i < key.length; i++) {
      const b = key[i]!;
      out[o++] = b;
      if (b === 0) out[o++] = 0xff;
    }
  }
  out[length - 2] = 0;
  out[length - 1] = 0;
}

/**
 * Where enc(key) ends in a stored key (the offset of the time suffix) and how many bytes the user key has: one pass,
 * no allocation.
 */
function scanStoredKey(stored: Buffer): { keyLength: number; suffixOffset: number } {
  let keyLength = 0;
  let i = 0;
  for (;;) {
    if (stored[i] === 0) {
      if (stored[i + 1] === 0) return { keyLength, suffixOffset: i + TERMINATOR_BYTES };
      i += 2; // an escaped 0x00
    } else i++;
    keyLength++;
  }
}

/** Writes the user key of enc(key) (its `keyLength` bytes, see `scanStoredKey`) into `out` at 0. */
function decodeInto(stored: Buffer, keyLength: number, out: Buffer): void {
  let i = 0;
  for (let o = 0; o < keyLength; o++) {
    const b = stored[i]!;
    out[o] = b;
    i += b === 0 ? 2 : 1;
  }
}

/** Decodes enc(key) at the start of a stored key: the user key and the offset of the time suffix. */
export function decodeStoredKey(stored: Buffer): { key: Buffer; suffixOffset: number } {
  const { keyLength, suffixOffset } = scanStoredKey(stored);
  if (suffixOffset === keyLength + TERMINATOR_BYTES) {
    return { key: stored.subarray(0, keyLength), suffixOffset }; // no escaped bytes: a view
  }
  const key = Buffer.allocUnsafe(keyLength);
  decodeInto(stored, keyLength, key);
  return { key, suffixOffset };
}

/** Turns a stored key into key | suffix (the changelog format): one buffer, decoded in place. */
export function storedToChangelog(stored: Buffer): Buffer {
  const { keyLength, suffixOffset } = scanStoredKey(stored);
  const out = Buffer.allocUnsafe(keyLength + stored.length - suffixOffset);
  if (suffixOffset === keyLength + TERMINATOR_BYTES) stored.copy(out, 0, 0, keyLength);
  else decodeInto(stored, keyLength, out);
  stored.copy(out, keyLength, suffixOffset);
  return out;
}

/** Turns key | suffix (the changelog format) into a stored key, given the suffix length. */
function changelogToStored(changelogKey: Buffer, suffixBytes: number): Buffer {
  const keyLength = changelogKey.length - suffixBytes;
  const out = encodeWithRoom(changelogKey.subarray(0, keyLength), suffixBytes);
  changelogKey.copy(out, out.length - suffixBytes, keyLength);
  return out;
}

export const TIME_BYTES = 8;
export const SEQNUM_BYTES = 4;

/** Window keys: enc(key) | start [| seqnum]. */
export class WindowKeySchema {
  readonly suffixBytes: number;
  readonly #retainDuplicates: boolean;
  #scratch: Buffer = Buffer.alloc(0);

  constructor(retainDuplicates: boolean) {
    this.#retainDuplicates = retainDuplicates;
    this.suffixBytes = TIME_BYTES + (retainDuplicates ? SEQNUM_BYTES : 0);
  }

  storedKey(key: Buffer, windowStartMs: number, seqnum: number): Buffer {
    const out = encodeWithRoom(key, this.suffixBytes);
    const at = out.length - this.suffixBytes;
    writeTimeBE(out, windowStartMs, at);
    if (this.#retainDuplicates) out.writeUInt32BE(seqnum >>> 0, at + TIME_BYTES);
    return out;
  }

  /**
   * The stored key of a point lookup (no duplicates) in a scratch buffer: valid only until the next call, for reads
   * that do not keep the key (a table's get copies it), so that a fetch allocates no key buffer.
   */
  lookupKey(key: Buffer, windowStartMs: number): Buffer {
    const length = encodedLength(key);
    const total = length + TIME_BYTES;
    if (this.#scratch.length < total) this.#scratch = Buffer.allocUnsafeSlow(Math.max(64, total * 2));
    const out = this.#scratch;
    encodeInto(key, length, out);
    writeTimeBE(out, windowStartMs, length);
    return out.subarray(0, total);
  }

  /** Inclusive bounds of the entries of `key` with from <= start <= to. */
  keyTimeBounds(key: Buffer, fromMs: number, toMs: number): [Buffer, Buffer] {
    const lo = this.storedKey(key, fromMs, 0);
    const hi = this.storedKey(key, toMs, 0xffffffff);
    return [lo, hi];
  }

  /** Inclusive lower bound of the entries of keys >= key. */
  lowerKeyBound(key: Buffer): Buffer {
    return encodeWithRoom(key, 0);
  }

  /** Inclusive upper bound of the entries of keys <= key. */
  upperKeyBound(key: Buffer): Buffer {
    const out = encodeWithRoom(key, this.suffixBytes);
    out.fill(0xff, out.length - this.suffixBytes);
    return out;
  }

  windowStart(stored: Buffer): number {
    return readTimeBE(stored, stored.length - this.suffixBytes);
  }

  userKey(stored: Buffer): Buffer {
    return decodeStoredKey(stored).key;
  }

  toChangelogKey(stored: Buffer): Buffer {
    return storedToChangelog(stored);
  }

  /** Undefined when the changelog key is too short to hold the suffix. */
  fromChangelogKey(changelogKey: Buffer): Buffer | undefined {
    return changelogKey.length < this.suffixBytes ? undefined : changelogToStored(changelogKey, this.suffixBytes);
  }
}

/** Session keys: enc(key) | end | start. */
export class SessionKeySchema {
  static readonly SUFFIX_BYTES = 2 * TIME_BYTES;

  storedKey(key: Buffer, startMs: number, endMs: number): Buffer {
    const out = encodeWithRoom(key, SessionKeySchema.SUFFIX_BYTES);
    const at = out.length - SessionKeySchema.SUFFIX_BYTES;
    writeTimeBE(out, endMs, at);
    writeTimeBE(out, startMs, at + TIME_BYTES);
    return out;
  }

  /** Inclusive bounds of the sessions of `key` that end at or after `earliestEndMs`. */
  keyBounds(key: Buffer, earliestEndMs: number): [Buffer, Buffer] {
    return [this.storedKey(key, 0, earliestEndMs), this.storedKey(key, Infinity, Infinity)];
  }

  sessionEnd(stored: Buffer): number {
    return readTimeBE(stored, stored.length - SessionKeySchema.SUFFIX_BYTES);
  }

  sessionStart(stored: Buffer): number {
    return readTimeBE(stored, stored.length - TIME_BYTES);
  }

  userKey(stored: Buffer): Buffer {
    return decodeStoredKey(stored).key;
  }

  toChangelogKey(stored: Buffer): Buffer {
    return storedToChangelog(stored);
  }

  fromChangelogKey(changelogKey: Buffer): Buffer | undefined {
    return changelogKey.length < SessionKeySchema.SUFFIX_BYTES
      ? undefined
      : changelogToStored(changelogKey, SessionKeySchema.SUFFIX_BYTES);
  }
}
