// 8-byte big-endian times, as Kafka's LongSerializer writes them. JavaScript numbers are exact up to 2^53, far beyond
// any millisecond timestamp; splitting into two 32-bit halves avoids a BigInt per call.

const TWO_32 = 0x1_0000_0000;

export function writeTimeBE(buffer: Buffer, timeMs: number, offset: number): void {
  const high = Math.floor(timeMs / TWO_32);
  buffer.writeInt32BE(high, offset);
  buffer.writeUInt32BE(timeMs - high * TWO_32, offset + 4);
}

export function readTimeBE(buffer: Buffer, offset: number): number {
  return buffer.readInt32BE(offset) * TWO_32 + buffer.readUInt32BE(offset + 4);
}
