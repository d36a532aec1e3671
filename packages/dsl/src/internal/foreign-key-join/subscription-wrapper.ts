import { SerializationError } from '@kaskade/processor-api';
import type { Serde } from '@kaskade/processor-api';

/**
 * What a left-table update asks of the right side (KIP-213): whether to keep or drop the subscription of the primary
 * key to the foreign key, and whether to answer.
 *
 * @see org.apache.kafka.streams.kstream.internals.foreignkeyjoin.SubscriptionWrapper.Instruction
 */
export const Instruction = {
  /** Drop the subscription, answer nothing (the key moved to another foreign key, which answers). */
  DeleteNoPropagate: 0,
  /** Drop the subscription and answer null (the left row was deleted: its result is tombstoned). */
  DeleteAndPropagate: 1,
  /** Subscribe and answer, with null when the foreign key has no value (the result must be replaced or unset). */
  PropagateNullIfNoValue: 2,
  /** Subscribe and answer only when the foreign key has a value (a new inner-join row). */
  PropagateOnlyIfValue: 3,
} as const;
export type Instruction = (typeof Instruction)[keyof typeof Instruction];

/**
 * A subscription record, keyed by the foreign key: the primary key, the hash of the left value it was made from
 * (null for a deletion), the instruction, and the partition of the left row (where the response must go).
 */
export interface SubscriptionWrapper<K> {
  readonly hash: Buffer | null;
  readonly instruction: Instruction;
  readonly primaryKey: K;
  readonly primaryPartition: number;
}

const VERSION = 0;
const HASH_BYTES = 16;

/**
 * Layout: version (1 byte), instruction (1), hash present (1), hash (16, if present), primary partition (int32 BE),
 * serialized primary key (the rest).
 */
export class SubscriptionWrapperSerde<K> implements Serde<SubscriptionWrapper<K>> {
  readonly #primaryKeySerde: Serde<K>;

  constructor(primaryKeySerde: Serde<K>) {
    this.#primaryKeySerde = primaryKeySerde;
  }

  serialize(topic: string, data: SubscriptionWrapper<K>): Buffer {
    const pk = this.#primaryKeySerde.serialize(topic, data.primaryKey);
    const hashLength = data.hash === null ? 0 : HASH_BYTES;
    const out = Buffer.allocUnsafe(7 + hashLength + pk.length);
    out[0] = VERSION;
    out[1] = data.instruction;
    out[2] = data.hash === null ? 0 : 1;
    if (data.hash !== null) data.hash.copy(out, 3, 0, HASH_BYTES);
    out.writeInt32BE(data.primaryPartition, 3 + hashLength);
    pk.copy(out, 7 + hashLength);
    return out;
  }

  deserialize(topic: string, data: Buffer): SubscriptionWrapper<K> {
    if (data.length < 7 || data[0] !== VERSION) {
      throw new SerializationError(`foreign-key join subscription on ${topic}: unknown format (version ${data[0]})`);
    }
    const hashLength = data[2] === 1 ? HASH_BYTES : 0;
    return {
      instruction: data[1] as Instruction,
      hash: hashLength === 0 ? null : Buffer.from(data.subarray(3, 3 + HASH_BYTES)),
      primaryPartition: data.readInt32BE(3 + hashLength),
      primaryKey: this.#primaryKeySerde.deserialize(topic, data.subarray(7 + hashLength)),
    };
  }
}
