import type { Headers } from './headers.js';

/**
 * Converts values of type T to bytes and back. Serdes never see null: the runtime maps a null key or value
 * (a tombstone) to null bytes and back without calling the serde.
 *
 * A serde throws when the data is not what it expects; the runtime wraps that in a `SerializationError` with the
 * topic, partition and offset and hands it to the configured exception handler.
 *
 * @see org.apache.kafka.common.serialization.Serde
 */
export interface Serde<T> {
  serialize(topic: string, data: T, headers?: Headers): Buffer;
  deserialize(topic: string, data: Buffer, headers?: Headers): T;
}
