import type { Serde, ValueAndTimestamp } from '@kaskade/processor-api';
import { readInt64BE, writeInt64BE } from './internal/bytes.js';

/**
 * The stored format of timestamped stores: the record timestamp as 8 bytes big-endian, then the value's bytes — the
 * layout of Kafka Streams' ValueAndTimestampSerializer.
 *
 * @see org.apache.kafka.streams.state.internals.ValueAndTimestampSerde
 */
export class ValueAndTimestampSerde<V> implements Serde<ValueAndTimestamp<V>> {
  readonly valueSerde: Serde<V>;

  constructor(valueSerde: Serde<V>) {
    this.valueSerde = valueSerde;
  }

  serialize(topic: string, data: ValueAndTimestamp<V>): Buffer {
    const value = this.valueSerde.serialize(topic, data.value);
    const out = Buffer.allocUnsafe(8 + value.length);
    writeInt64BE(out, data.timestamp, 0);
    value.copy(out, 8);
    return out;
  }

  deserialize(topic: string, data: Buffer): ValueAndTimestamp<V> {
    return { value: this.valueSerde.deserialize(topic, data.subarray(8)), timestamp: readInt64BE(data, 0) };
  }
}

/** A `ValueAndTimestamp`. */
export function valueAndTimestamp<V>(value: V, timestamp: number): ValueAndTimestamp<V> {
  return { value, timestamp };
}
