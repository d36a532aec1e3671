import type { Serde } from '@kaskade/processor-api';
import { checkSize, describeValue, serdeError } from './serde-error.js';

const TWO_32 = 0x1_0000_0000;

/**
 * 64-bit signed integers as 8 bytes, big-endian (Kafka's `LongSerializer` format), over JavaScript `number`.
 *
 * A `number` holds integers exactly only up to 2^53-1 (`Number.MAX_SAFE_INTEGER`), so both directions fail for
 * anything outside the safe range rather than silently rounding. Use {@link BigInt64Serde} (`Serdes.BigInt64()`) when
 * the full 64-bit range can occur.
 *
 * @see org.apache.kafka.common.serialization.Serdes.LongSerde
 */
export class Int64Serde implements Serde<number> {
  serialize(topic: string, data: number): Buffer {
    if (typeof data !== 'number' || !Number.isSafeInteger(data)) {
      throw serdeError(
        'serialize',
        'Int64',
        topic,
        `expected a safe integer (|n| <= 2^53-1), got ${describeValue(data)}; use Serdes.BigInt64() for the full 64-bit range`,
      );
    }
    // Two 32-bit halves instead of a BigInt round trip: exact for safe integers, and no allocation besides the buffer.
    const high = Math.floor(data / TWO_32);
    const buf = Buffer.allocUnsafe(8);
    buf.writeInt32BE(high, 0);
    buf.writeUInt32BE(data - high * TWO_32, 4);
    return buf;
  }

  deserialize(topic: string, data: Buffer): number {
    checkSize('Int64', topic, data, 8);
    // high * 2^32 is exact; the sum is exact whenever the true value is safe, and any unsafe value rounds to an
    // unsafe number, so the check below cannot be fooled by rounding.
    const value = data.readInt32BE(0) * TWO_32 + data.readUInt32BE(4);
    if (!Number.isSafeInteger(value)) {
      throw serdeError(
        'deserialize',
        'Int64',
        topic,
        `${data.readBigInt64BE(0)} is outside the safe integer range of a number; use Serdes.BigInt64()`,
      );
    }
    return value;
  }
}
