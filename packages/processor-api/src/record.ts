import { Headers } from './headers.js';

/**
 * A record flowing through a topology: key, value, timestamp (ms since the epoch) and headers.
 *
 * Immutable: `withKey`, `withValue`, `withTimestamp` and `withHeaders` return new records, so a processor may forward
 * one record to several children safely.
 *
 * ```ts
 * context.forward(record.withValue(record.value.toUpperCase()));
 * ```
 * @see org.apache.kafka.streams.processor.api.Record
 */
export class Record<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;

  constructor(key: K, value: V, timestamp: number, headers: Headers = Headers.EMPTY) {
    this.key = key;
    this.value = value;
    this.timestamp = timestamp;
    this.headers = headers;
  }

  withKey<NewK>(key: NewK): Record<NewK, V> {
    return new Record(key, this.value, this.timestamp, this.headers);
  }

  withValue<NewV>(value: NewV): Record<K, NewV> {
    return new Record(this.key, value, this.timestamp, this.headers);
  }

  withTimestamp(timestamp: number): Record<K, V> {
    return new Record(this.key, this.value, timestamp, this.headers);
  }

  withHeaders(headers: Headers): Record<K, V> {
    return new Record(this.key, this.value, this.timestamp, headers);
  }
}
