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
 * even when it has no value (the old result must be replaced or unset). Inner join: a deletion unsubscribes with a
 * null answer; a null foreign key joins nothing (`null-foreign-key` drop). Left join (KIP-962): every update is
 * answered, a null foreign key or a deletion through a subscription with a null key that subscribes to nothing.
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
    // Compared serialized, as the right side sees them: equal bytes are the same subscription.
    const changed = (oldKey: KO, newKey: KO | null) =>
      newKey === null ||
      !this.#foreignKeySerde
        .serialize(this.#topic, oldKey)
        .equals(this.#foreignKeySerde.serialize(this.#topic, newKey));
    const extractor = this.#extractor;
    const valueSerde = this.#valueSerde;
    const topic = this.#topic;
    const leftJoin = this.#leftJoin;
    return new (class extends ContextualProcessor<K, Change<V>, KO, SubscriptionWrapper<K>> {
      process(record: Record<K, Change<V>>): void {
        const { newValue, oldValue } = record.value;
        const hash = newValue === null ? null : valueHash(valueSerde.serialize(topic, newValue));
        const partition = this.context.recordMetadata()?.partition ?? -1;
        const send = (foreignKey: KO | null, instruction: Instruction) =>
          this.context.forward(
            record
              .withKey(foreignKey as KO)
              .withValue({ hash, instruction, primaryKey: record.key, primaryPartition: partition }),
          );
        const oldKey = oldValue === null ? null : (extractor(oldValue) ?? null);
        if (leftJoin) {
          if (oldValue === null && newValue === null) return;
          const newKey = newValue === null ? null : (extractor(newValue) ?? null);
          if (oldKey !== null && changed(oldKey, newKey)) send(oldKey, Instruction.DeleteNoPropagate);
          // Always answered, also for a deletion or a null foreign key (sent with a null key, which subscribes to
          // nothing): a left join has a result, or a tombstone, for every update of the left row.
          send(newKey, Instruction.PropagateNullIfNoValue);
          return;
        }
        if (newValue === null) {
          if (oldKey !== null) send(oldKey, Instruction.DeleteAndPropagate);
          return;
        }
        const newKey = extractor(newValue) ?? null;
        if (newKey === null) {
          this.context.recordDropped('null-foreign-key');
          if (oldKey !== null) send(oldKey, Instruction.DeleteAndPropagate);
        } else if (oldKey !== null && changed(oldKey, newKey)) {
          // The old result must be unset even when the new foreign key has no value: answer null then.
          send(oldKey, Instruction.DeleteNoPropagate);
          send(newKey, Instruction.PropagateNullIfNoValue);
        } else {
          // An insert, or the same foreign key: a row that did not join before has nothing to unset.
          send(newKey, Instruction.PropagateOnlyIfValue);
        }
      }
    })();
  }
}
