import { SerializationError } from '@kaskade/processor-api';
import type { Headers, Serde } from '@kaskade/processor-api';
import { readTimeBE, writeTimeBE } from './time-bytes.js';

/** Key of the outer-join store: a record's timestamp, its side and its key. */
export interface TimestampedKeyAndJoinSide<K> {
  readonly timestamp: number;
  readonly leftSide: boolean;
  readonly key: K;
}

/** Values waiting in the outer-join store under one key (the same key, side and timestamp may repeat). */
export interface JoinSideValues {
  readonly leftSide: boolean;
  readonly values: readonly unknown[];
}

/**
 * Timestamp (8 bytes BE), side (1 = left, 0 = right), then the key's bytes — the layout of Kafka Streams'
 * TimestampedKeyAndJoinSideSerializer, so the store iterates in time order.
 */
export class TimestampedKeyAndJoinSideSerde<K> implements Serde<TimestampedKeyAndJoinSide<K>> {
  readonly #keySerde: Serde<K>;

  constructor(keySerde: Serde<K>) {
    this.#keySerde = keySerde;
  }

  serialize(topic: string, data: TimestampedKeyAndJoinSide<K>, headers?: Headers): Buffer {
    const key = this.#keySerde.serialize(topic, data.key, headers);
    const out = Buffer.allocUnsafe(9 + key.length);
    writeTimeBE(out, data.timestamp, 0);
    out[8] = data.leftSide ? 1 : 0;
    key.copy(out, 9);
    return out;
  }

  deserialize(topic: string, data: Buffer, headers?: Headers): TimestampedKeyAndJoinSide<K> {
    if (data.length < 9)
      throw new SerializationError(`an outer-join store key needs at least 9 bytes, got ${data.length}`);
    return {
      timestamp: readTimeBE(data, 0),
      leftSide: data[8] === 1,
      key: this.#keySerde.deserialize(topic, data.subarray(9), headers),
    };
  }
}

/** Side (1 byte), then per value its length (4 bytes BE) and bytes, with the side's value serde. */
export class JoinSideValuesSerde implements Serde<JoinSideValues> {
  readonly #left: Serde<unknown>;
  readonly #right: Serde<unknown>;

  constructor(leftSerde: Serde<unknown>, rightSerde: Serde<unknown>) {
    this.#left = leftSerde;
    this.#right = rightSerde;
  }

  serialize(topic: string, data: JoinSideValues, headers?: Headers): Buffer {
    const serde = data.leftSide ? this.#left : this.#right;
    const parts = data.values.map((v) => serde.serialize(topic, v, headers));
    const out = Buffer.allocUnsafe(1 + parts.reduce((n, p) => n + 4 + p.length, 0));
    out[0] = data.leftSide ? 1 : 0;
    let at = 1;
    for (const p of parts) {
      out.writeUInt32BE(p.length, at);
      p.copy(out, at + 4);
      at += 4 + p.length;
    }
    return out;
  }

  deserialize(topic: string, data: Buffer, headers?: Headers): JoinSideValues {
    const leftSide = data[0] === 1;
    const serde = leftSide ? this.#left : this.#right;
    const values: unknown[] = [];
    for (let at = 1; at < data.length;) {
      const length = data.readUInt32BE(at);
      values.push(serde.deserialize(topic, data.subarray(at + 4, at + 4 + length), headers));
      at += 4 + length;
    }
    return { leftSide, values };
  }
}
