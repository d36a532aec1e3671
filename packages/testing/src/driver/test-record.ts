import { Headers } from '@kaskade/processor-api';

/** A record read from or written to a test topic. */
export interface TestRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** One record as the driver stores it on an output topic: bytes, as they would be on Kafka. */
export interface CapturedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

export { Headers };
