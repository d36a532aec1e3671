import type { Serde } from '@kaskade/processor-api';
import { checkSize, describeValue, serdeError } from './serde-error.js';

const MIN = -0x8000_0000;
const MAX = 0x7fff_ffff;

/**
 * 32-bit signed integers as 4 bytes, big-endian, as Kafka's `IntegerSerializer` writes them (1 → `00 00 00 01`).
 * Serializing fails for a non-integer or a number outside [-2^31, 2^31-1]; deserializing fails unless there are
 * exactly 4 bytes.
 *
 * @see org.apache.kafka.common.serialization.Serdes.IntegerSerde
 */
export class Int32Serde implements Serde<number> {
  serialize(topic: string, data: number): Buffer {
    if (typeof data !== 'number' || !Number.isInteger(data) || data < MIN || data > MAX) {
      throw serdeError(
        'serialize',
        'Int32',
        topic,
        `expected an integer in [${MIN}, ${MAX}], got ${describeValue(data)}`,
      );
    }
    const buf = Buffer.allocUnsafe(4);
    buf.writeInt32BE(data, 0);
    return buf;
  }

  deserialize(topic: string, data: Buffer): number {
    checkSize('Int32', topic, data, 4);
    return data.readInt32BE(0);
  }
}
