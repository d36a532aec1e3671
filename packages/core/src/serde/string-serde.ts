import { isUtf8 } from 'node:buffer';
import type { Serde } from '@kaskade/processor-api';
import { describeValue, serdeError } from './serde-error.js';

/**
 * Strings as UTF-8 bytes.
 *
 * Unlike Kafka's `StringDeserializer`, which silently replaces malformed bytes with U+FFFD, deserialization fails on
 * bytes that are not valid UTF-8: replacing them would lose data without anyone noticing, and the configured
 * deserialization handler can still choose to skip the record.
 *
 * @see org.apache.kafka.common.serialization.Serdes.StringSerde
 */
export class StringSerde implements Serde<string> {
  serialize(topic: string, data: string): Buffer {
    if (typeof data !== 'string') {
      throw serdeError('serialize', 'string', topic, `expected a string, got ${describeValue(data)}`);
    }
    return Buffer.from(data, 'utf8');
  }

  deserialize(topic: string, data: Buffer): string {
    if (!isUtf8(data)) throw serdeError('deserialize', 'string', topic, 'the bytes are not valid UTF-8');
    return data.toString('utf8');
  }
}
