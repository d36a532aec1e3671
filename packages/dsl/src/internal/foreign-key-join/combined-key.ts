import type { Serde } from '@kaskade/processor-api';

/**
 * The subscription store's key: foreign key then primary key, so that one prefix scan by foreign key finds every
 * primary key subscribed to it. Layout: foreign key length (int32 BE), serialized foreign key, serialized primary
 * key. The length keeps a foreign key from matching the prefix of a longer one.
 *
 * @see org.apache.kafka.streams.kstream.internals.foreignkeyjoin.CombinedKeySchema
 */
export class CombinedKeySchema<KO, K> {
  readonly #foreignKeySerde: Serde<KO>;
  readonly #primaryKeySerde: Serde<K>;
  readonly #topic: string;

  /** `topic`: the name the serdes are called with (the subscription topic, as Kafka Streams does). */
  constructor(foreignKeySerde: Serde<KO>, primaryKeySerde: Serde<K>, topic: string) {
    this.#foreignKeySerde = foreignKeySerde;
    this.#primaryKeySerde = primaryKeySerde;
    this.#topic = topic;
  }

  toBytes(foreignKey: KO, primaryKey: K): Buffer {
    const fk = this.#foreignKeySerde.serialize(this.#topic, foreignKey);
    const pk = this.#primaryKeySerde.serialize(this.#topic, primaryKey);
    const out = Buffer.allocUnsafe(4 + fk.length + pk.length);
    out.writeInt32BE(fk.length, 0);
    fk.copy(out, 4);
    pk.copy(out, 4 + fk.length);
    return out;
  }

  prefixBytes(foreignKey: KO): Buffer {
    const fk = this.#foreignKeySerde.serialize(this.#topic, foreignKey);
    const out = Buffer.allocUnsafe(4 + fk.length);
    out.writeInt32BE(fk.length, 0);
    fk.copy(out, 4);
    return out;
  }

  primaryKey(bytes: Buffer): K {
    const fkLength = bytes.readInt32BE(0);
    return this.#primaryKeySerde.deserialize(this.#topic, bytes.subarray(4 + fkLength));
  }
}
