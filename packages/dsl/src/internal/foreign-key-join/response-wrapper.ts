import { SerializationError } from '@kaskade/processor-api';
import type { Serde } from '@kaskade/processor-api';

/**
 * The right side's answer to a subscription, keyed by the primary key: the right value (null: none) and the hash of
 * the left value that the subscription was made from, so the left side can drop answers to stale subscriptions.
 *
 * @see org.apache.kafka.streams.kstream.internals.foreignkeyjoin.SubscriptionResponseWrapper
 */
export interface ResponseWrapper<VO> {
  readonly hash: Buffer | null;
  readonly foreignValue: VO | null;
  readonly primaryPartition: number;
}

const VERSION = 0;
const HASH_BYTES = 16;

/**
 * Layout: version (1 byte), flags (1: bit 0 hash present, bit 1 value present), hash (16, if present), primary
 * partition (int32 BE), serialized right value (the rest, if present).
 */
export class ResponseWrapperSerde<VO> implements Serde<ResponseWrapper<VO>> {
  readonly #foreignValueSerde: Serde<VO>;

  constructor(foreignValueSerde: Serde<VO>) {
    this.#foreignValueSerde = foreignValueSerde;
  }

  serialize(topic: string, data: ResponseWrapper<VO>): Buffer {
    const value = data.foreignValue === null ? undefined : this.#foreignValueSerde.serialize(topic, data.foreignValue);
    const hashLength = data.hash === null ? 0 : HASH_BYTES;
    const out = Buffer.allocUnsafe(6 + hashLength + (value?.length ?? 0));
    out[0] = VERSION;
    out[1] = (data.hash === null ? 0 : 1) | (value === undefined ? 0 : 2);
    if (data.hash !== null) data.hash.copy(out, 2, 0, HASH_BYTES);
    out.writeInt32BE(data.primaryPartition, 2 + hashLength);
    value?.copy(out, 6 + hashLength);
    return out;
  }

  deserialize(topic: string, data: Buffer): ResponseWrapper<VO> {
    if (data.length < 6 || data[0] !== VERSION) {
      throw new SerializationError(`foreign-key join response on ${topic}: unknown format (version ${data[0]})`);
    }
    const flags = data[1]!;
    const hashLength = (flags & 1) === 0 ? 0 : HASH_BYTES;
    return {
      hash: hashLength === 0 ? null : Buffer.from(data.subarray(2, 2 + HASH_BYTES)),
      primaryPartition: data.readInt32BE(2 + hashLength),
      foreignValue:
        (flags & 2) === 0 ? null : this.#foreignValueSerde.deserialize(topic, data.subarray(6 + hashLength)),
    };
  }
}
