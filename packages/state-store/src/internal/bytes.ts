// Small byte helpers shared by the stores. Keys are compared as unsigned bytes everywhere (Buffer.compare order).

const TWO_POW_32 = 0x1_0000_0000;

/** The empty buffer, shared (never written to). */
export const EMPTY = Buffer.alloc(0);

const char = String.fromCharCode;

/**
 * A string with one char per byte (latin1), used to key in-memory maps. `toString('latin1')` is fast, and comparing
 * two such strings with `<` gives exactly the unsigned byte order of the buffers (each UTF-16 code unit is one byte).
 */
export function keyString(bytes: Buffer): string {
  // Short keys (an int key; a window key with its time) are the common case, and one String.fromCharCode call is
  // about twice as cheap as toString('latin1') for them (no native call, no encoding dispatch): the stores call this
  // on every get and put. The result is the same one-byte string.
  const b = bytes;
  switch (b.length) {
    case 0:
      return '';
    case 1:
      return char(b[0]!);
    case 2:
      return char(b[0]!, b[1]!);
    case 3:
      return char(b[0]!, b[1]!, b[2]!);
    case 4:
      return char(b[0]!, b[1]!, b[2]!, b[3]!);
    case 5:
      return char(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!);
    case 6:
      return char(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!);
    case 7:
      return char(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!);
    case 8:
      return char(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!);
    case 9:
      return char(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!);
    case 10:
      return char(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!);
    case 11:
      return char(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!);
    case 12:
      return char(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!, b[11]!);
    case 13:
      return char(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!, b[11]!, b[12]!);
    case 14:
      return char(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!, b[11]!, b[12]!, b[13]!);
    case 15:
      return char(
        b[0]!,
        b[1]!,
        b[2]!,
        b[3]!,
        b[4]!,
        b[5]!,
        b[6]!,
        b[7]!,
        b[8]!,
        b[9]!,
        b[10]!,
        b[11]!,
        b[12]!,
        b[13]!,
        b[14]!,
      );
    case 16:
      return char(
        b[0]!,
        b[1]!,
        b[2]!,
        b[3]!,
        b[4]!,
        b[5]!,
        b[6]!,
        b[7]!,
        b[8]!,
        b[9]!,
        b[10]!,
        b[11]!,
        b[12]!,
        b[13]!,
        b[14]!,
        b[15]!,
      );
    default:
      return b.toString('latin1');
  }
}

/** Writes a signed 64-bit big-endian integer (two's complement) from a safe integer, without BigInt. */
export function writeInt64BE(target: Buffer, value: number, offset: number): void {
  const high = Math.floor(value / TWO_POW_32);
  target.writeInt32BE(high, offset);
  target.writeUInt32BE(value - high * TWO_POW_32, offset + 4);
}

/** Reads a signed 64-bit big-endian integer as a number (exact within the safe-integer range). */
export function readInt64BE(source: Buffer, offset: number): number {
  return source.readInt32BE(offset) * TWO_POW_32 + source.readUInt32BE(offset + 4);
}

/**
 * Writes a non-negative time (ms) as an unsigned 64-bit big-endian integer. Values beyond the safe-integer range
 * (used as open upper bounds, e.g. Infinity) become all 0xFF, which sorts after every real time.
 */
export function writeTimeBE(target: Buffer, value: number, offset: number): void {
  if (value > Number.MAX_SAFE_INTEGER) {
    target.fill(0xff, offset, offset + 8);
    return;
  }
  const v = value < 0 ? 0 : value;
  const high = Math.floor(v / TWO_POW_32);
  target.writeUInt32BE(high, offset);
  target.writeUInt32BE(v - high * TWO_POW_32, offset + 4);
}

/** Reads an unsigned 64-bit big-endian time written by `writeTimeBE`. */
export function readTimeBE(source: Buffer, offset: number): number {
  return source.readUInt32BE(offset) * TWO_POW_32 + source.readUInt32BE(offset + 4);
}

/** 8-byte big-endian encoding of a changelog offset (as stored in the `__offsets` DB). */
export function encodeOffset(offset: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeInt64BE(b, offset, 0);
  return b;
}

/**
 * The smallest key greater than every key that starts with `prefix` (an exclusive upper bound for a prefix scan),
 * or undefined when there is none (the prefix is empty or all 0xFF).
 */
export function prefixUpperBound(prefix: Buffer): Buffer | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i]!;
    if (byte !== 0xff) {
      const upper = Buffer.allocUnsafe(i + 1);
      prefix.copy(upper, 0, 0, i);
      upper[i] = byte + 1;
      return upper;
    }
  }
  return undefined;
}
