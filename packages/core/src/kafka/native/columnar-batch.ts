// The JS side of a consumed columnar batch: typed-array views over the one ArrayBuffer the addon handed over. Nothing
// here runs per record unless the caller asks for a record's key, value or headers.

/** One consumed batch, columns indexed by record 0 .. count - 1. */
export class ColumnarBatch {
  readonly count: number;
  /** The distinct topics of this batch; `topicIndex[i]` points into it. */
  readonly topics: readonly string[];
  readonly offsets: BigInt64Array;
  /** Milliseconds since the epoch (float64 holds every real timestamp exactly, without a BigInt per read). */
  readonly timestamps: Float64Array;
  readonly partitions: Int32Array;
  readonly topicIndex: Int32Array;
  readonly keyStart: Int32Array;
  /** -1 for a null key. */
  readonly keyLength: Int32Array;
  readonly valueStart: Int32Array;
  /** -1 for a null value (a tombstone). */
  readonly valueLength: Int32Array;
  readonly headerStart: Int32Array;
  /** 0 when a record has no headers. */
  readonly headerLength: Int32Array;
  /** Every key's bytes, back to back. */
  readonly keyBytes: Buffer;
  readonly valueBytes: Buffer;
  readonly headerBytes: Buffer;
  /** The whole batch, as the addon laid it out: a producer takes it back as it is. */
  readonly block: ArrayBuffer;
  readonly keysAt: number;
  readonly valuesAt: number;
  readonly headersAt: number;

  constructor(
    block: ArrayBuffer,
    count: number,
    keysAt: number,
    valuesAt: number,
    headersAt: number,
    headersEnd: number,
    topics: readonly string[],
  ) {
    this.count = count;
    this.topics = topics;
    this.block = block;
    this.keysAt = keysAt;
    this.valuesAt = valuesAt;
    this.headersAt = headersAt;
    // The layout of columnar-batch.h: 8-byte columns first, then ten int32 columns, then the bytes.
    this.offsets = new BigInt64Array(block, 0, count);
    this.timestamps = new Float64Array(block, 8 * count, count);
    let at = 16 * count;
    const int32 = (): Int32Array => {
      const column = new Int32Array(block, at, count);
      at += 4 * count;
      return column;
    };
    this.partitions = int32();
    this.topicIndex = int32();
    this.keyStart = int32();
    this.keyLength = int32();
    this.valueStart = int32();
    this.valueLength = int32();
    this.headerStart = int32();
    this.headerLength = int32();
    this.keyBytes = Buffer.from(block, keysAt, valuesAt - keysAt);
    this.valueBytes = Buffer.from(block, valuesAt, headersAt - valuesAt);
    this.headerBytes = Buffer.from(block, headersAt, headersEnd - headersAt);
  }

  /** Record i's key: a view into the batch (no copy), or null. */
  key(i: number): Buffer | null {
    const length = this.keyLength[i]!;
    if (length < 0) return null;
    const start = this.keyStart[i]!;
    return this.keyBytes.subarray(start, start + length);
  }

  /** Record i's value: a view into the batch (no copy), or null for a tombstone. */
  value(i: number): Buffer | null {
    const length = this.valueLength[i]!;
    if (length < 0) return null;
    const start = this.valueStart[i]!;
    return this.valueBytes.subarray(start, start + length);
  }

  topic(i: number): string {
    return this.topics[this.topicIndex[i]!]!;
  }

  /** Record i's headers in order, values as views into the batch (null values kept). */
  headers(i: number): { key: string; value: Buffer | null }[] {
    const out: { key: string; value: Buffer | null }[] = [];
    let at = this.headerStart[i]!;
    const end = at + this.headerLength[i]!;
    const bytes = this.headerBytes;
    while (at < end) {
      const nameLength = bytes.readUInt32LE(at);
      const key = bytes.toString('utf8', at + 4, at + 4 + nameLength);
      at += 4 + nameLength;
      const valueLength = bytes.readInt32LE(at);
      at += 4;
      out.push({ key, value: valueLength < 0 ? null : bytes.subarray(at, at + valueLength) });
      if (valueLength > 0) at += valueLength;
    }
    return out;
  }
}
