import type { Headers, Serde, Windowed } from '@kaskade/processor-api';
import { SerializationError } from '@kaskade/processor-api';
import { checkDuration } from './internal/check-duration.js';
import { readTimeBE, writeTimeBE } from './internal/serde/time-bytes.js';

/**
 * Serde of time-windowed keys, byte for byte as Kafka Streams' `TimeWindowedSerializer`: the inner key's bytes, then
 * the window start as 8 bytes big-endian. The end is not written; reading takes it as start + window size.
 *
 * @see org.apache.kafka.streams.kstream.TimeWindowedSerializer
 */
export class TimeWindowedSerde<K> implements Serde<Windowed<K>> {
  readonly inner: Serde<K>;
  readonly windowSizeMs: number;

  constructor(inner: Serde<K>, windowSizeMs: number) {
    checkDuration('time-windowed serde window size', windowSizeMs, 1);
    this.inner = inner;
    this.windowSizeMs = windowSizeMs;
  }

  serialize(topic: string, data: Windowed<K>, headers?: Headers): Buffer {
    const key = this.inner.serialize(topic, data.key, headers);
    const out = Buffer.allocUnsafe(key.length + 8);
    key.copy(out, 0);
    writeTimeBE(out, data.window.start, key.length);
    return out;
  }

  deserialize(topic: string, data: Buffer, headers?: Headers): Windowed<K> {
    if (data.length < 8) throw new SerializationError(`a time-windowed key needs at least 8 bytes, got ${data.length}`);
    const start = readTimeBE(data, data.length - 8);
    const key = this.inner.deserialize(topic, data.subarray(0, data.length - 8), headers);
    return { key, window: { start, end: Math.min(start + this.windowSizeMs, Number.MAX_SAFE_INTEGER) } };
  }
}

/**
 * Serde of session-windowed keys, byte for byte as Kafka Streams' `SessionWindowedSerializer`: the inner key's
 * bytes, the session end, then the session start, each 8 bytes big-endian.
 *
 * @see org.apache.kafka.streams.kstream.SessionWindowedSerializer
 */
export class SessionWindowedSerde<K> implements Serde<Windowed<K>> {
  readonly inner: Serde<K>;

  constructor(inner: Serde<K>) {
    this.inner = inner;
  }

  serialize(topic: string, data: Windowed<K>, headers?: Headers): Buffer {
    const key = this.inner.serialize(topic, data.key, headers);
    const out = Buffer.allocUnsafe(key.length + 16);
    key.copy(out, 0);
    writeTimeBE(out, data.window.end, key.length);
    writeTimeBE(out, data.window.start, key.length + 8);
    return out;
  }

  deserialize(topic: string, data: Buffer, headers?: Headers): Windowed<K> {
    if (data.length < 16)
      throw new SerializationError(`a session-windowed key needs at least 16 bytes, got ${data.length}`);
    const end = readTimeBE(data, data.length - 16);
    const start = readTimeBE(data, data.length - 8);
    const key = this.inner.deserialize(topic, data.subarray(0, data.length - 16), headers);
    return { key, window: { start, end } };
  }
}

/**
 * Serdes for the `Windowed<K>` keys of windowed aggregations, compatible with Kafka Streams' windowed serdes.
 *
 * ```ts
 * counts.toStream().to('counts', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 60_000), Serdes.Int64()));
 * ```
 * @see org.apache.kafka.streams.kstream.WindowedSerdes
 */
export const WindowedSerdes = Object.freeze({
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return new TimeWindowedSerde(inner, windowSizeMs);
  },
  sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return new SessionWindowedSerde(inner);
  },
});
