import type { Serde } from '@kaskade/processor-api';
import { describeValue, serdeError } from './serde-error.js';

/**
 * Raw bytes, passed through unchanged (no copy). Serializing also accepts any `Uint8Array`, viewed as a Buffer
 * without copying.
 *
 * @see org.apache.kafka.common.serialization.Serdes.ByteArraySerde
 */
export class BytesSerde implements Serde<Buffer> {
  serialize(topic: string, data: Buffer): Buffer {
    if (Buffer.isBuffer(data)) return data;
    if ((data as unknown) instanceof Uint8Array) {
      const view = data as Uint8Array;
      return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    }
    throw serdeError('serialize', 'bytes', topic, `expected a Buffer, got ${describeValue(data)}`);
  }

  deserialize(_topic: string, data: Buffer): Buffer {
    return data;
  }
}
