import type { Serde } from '@kaskade/processor-api';
import { checkSize, describeValue, serdeError } from './serde-error.js';

/**
 * IEEE 754 doubles as 8 bytes, big-endian, as Kafka's `DoubleSerializer` writes them. `NaN`, the infinities and
 * `-0` round-trip.
 *
 * @see org.apache.kafka.common.serialization.Serdes.DoubleSerde
 */
export class Float64Serde implements Serde<number> {
  serialize(topic: string, data: number): Buffer {
    if (typeof data !== 'number') {
      throw serdeError('serialize', 'Float64', topic, `expected a number, got ${describeValue(data)}`);
    }
    const buf = Buffer.allocUnsafe(8);
    buf.writeDoubleBE(data, 0);
    return buf;
  }

  deserialize(topic: string, data: Buffer): number {
    checkSize('Float64', topic, data, 8);
    return data.readDoubleBE(0);
  }
}
