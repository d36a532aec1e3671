import type { Serde } from '@kaskade/processor-api';
import { checkSize, describeValue, serdeError } from './serde-error.js';

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/**
 * 64-bit signed integers as 8 bytes, big-endian (Kafka's `LongSerializer` format), over `bigint`: the full range of
 * a Java `long`.
 *
 * @see org.apache.kafka.common.serialization.Serdes.LongSerde
 */
export class BigInt64Serde implements Serde<bigint> {
  serialize(topic: string, data: bigint): Buffer {
    if (typeof data !== 'bigint' || data < MIN || data > MAX) {
      throw serdeError(
        'serialize',
        'BigInt64',
        topic,
        `expected a bigint in [-2^63, 2^63-1], got ${describeValue(data)}`,
      );
    }
    const buf = Buffer.allocUnsafe(8);
    buf.writeBigInt64BE(data, 0);
    return buf;
  }

  deserialize(topic: string, data: Buffer): bigint {
    checkSize('BigInt64', topic, data, 8);
    return data.readBigInt64BE(0);
  }
}
