import type { Processor, ProcessorSupplier, Record, Serde } from '@kaskade/processor-api';
import type { Change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import { Instruction } from './subscription-wrapper.js';
import type { SubscriptionWrapper } from './subscription-wrapper.js';
import { valueHash } from './value-hash.js';

/** Extracts the foreign key from a left value; null: the row joins nothing. */
export type ForeignKeyExtractor<V, KO> = (value: V) => KO | null | undefined;

/**
 * The left table's side of a foreign-key join: turns each update into subscription records keyed by foreign key. A
 * foreign key change unsubscribes from the old key without an answer and subscribes to the new one with an answer
 * even when it has no value (the old result must be replaced or unset); a deletion unsubscribes with a null answer.
 * An update whose foreign key is null is dropped (`null-foreign-key`), as in Kafka Streams.
 *
 * @see org.apache.kafka.streams.kstream.internals.foreignkeyjoin.SubscriptionSendProcessorSupplier
 */
export class SubscriptionSend<K, V, KO> implements ProcessorSupplier<K, Change<V>, KO, SubscriptionWrapper<K>> {
  readonly #extractor: ForeignKeyExtractor<V, KO>;
  readonly #foreignKeySerde: Serde<KO>;
  readonly #valueSerde: Serde<V>;
  readonly #topic: string;
  readonly #leftJoin: boolean;

  constructor(
    extractor: ForeignKeyExtractor<V, KO>,
    foreignKeySerde: Serde<KO>,
    valueSerde: Serde<V>,
    topic: string,
    leftJoin: boolean,
  ) {
    this.#extractor = extractor;
    this.#foreignKeySerde = foreignKeySerde;
    this.#valueSerde = valueSerde;
    this.#topic = topic;
    this.#leftJoin = leftJoin;
  }

  get(): Processor<K, Change<V>, KO, SubscriptionWrapper<K>> {
    const extractor = this.#extractor;
    const fkSerde = this.#foreignKeySerde;
    const valueSerde = this.#valueSerde;
    const topic = this.#topic;
    const leftJoin = this.#leftJoin;
    return new (class extends ContextualProcessor<K, Change<V>, KO, SubscriptionWrapper<K>> {
      process(record: Record<K, Change<V>>): void {
        const { newValue, oldValue } = record.value;
        const hash = newValue === null ? null : valueHash(valueSerde.serialize(topic, newValue));
        const partition = this.context.recordMetadata()?.partition ?? -1;
        const send = (foreignKey: KO, instruction: Instruction) =>
          this.context.forward(
            record
              .withKey(foreignKey)
              .withValue({ hash, instruction, primaryKey: record.key, primaryPartition: partition }),
          );
        if (oldValue !== null) {
          const oldKey = extractor(oldValue);
          if (oldKey == null) return this.context.recordDropped('null-foreign-key');
          if (newValue === null) return send(oldKey, Instruction.DeleteAndPropagate);
          const newKey = extractor(newValue);
          if (newKey == null) return this.context.recordDropped('null-foreign-key');
          // Compared serialized, as the right side sees them: equal bytes are the same subscription.
          if (!fkSerde.serialize(topic, oldKey).equals(fkSerde.serialize(topic, newKey))) {
            send(oldKey, Instruction.DeleteNoPropagate);
          }
          send(newKey, Instruction.PropagateNullIfNoValue);
        } else if (newValue !== null) {
          const newKey = extractor(newValue);
          if (newKey == null) return this.context.recordDropped('null-foreign-key');
          // A new row: an inner join has nothing to unset, so it answers only when the foreign key has a value.
          send(newKey, leftJoin ? Instruction.PropagateNullIfNoValue : Instruction.PropagateOnlyIfValue);
        }
      }
    })();
  }
}
