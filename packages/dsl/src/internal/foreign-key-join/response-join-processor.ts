import type { Processor, ProcessorContext, ProcessorSupplier, Record, Serde } from '@kaskade/processor-api';
import { ContextualProcessor } from '../contextual-processor.js';
import type { KTableValueGetter, KTableValueGetterSupplier } from '../ktable-value-getter.js';
import type { ResponseWrapper } from './response-wrapper.js';
import { valueHash } from './value-hash.js';

/** The user's joiner, erased to what the resolver calls it with (left join: right value may be null). */
export type ForeignKeyJoiner<V, VO, VR> = (value: V, foreignValue: VO | null) => VR;

/**
 * The left side's resolver: drops an answer whose hash is not the hash of the left row's current value (it answers a
 * subscription that a later update replaced), then joins: a result, or a tombstone when the right value is missing
 * (inner join) or the left row is gone. Emits plain values; the output processor turns them into table changes.
 *
 * @see org.apache.kafka.streams.kstream.internals.foreignkeyjoin.ResponseJoinProcessorSupplier
 */
export class ResponseJoin<K, V, VO, VR> implements ProcessorSupplier<K, ResponseWrapper<VO>, K, VR | null> {
  readonly #values: KTableValueGetterSupplier<K, V>;
  readonly #valueSerde: Serde<V>;
  readonly #topic: string;
  readonly #joiner: ForeignKeyJoiner<V, VO, VR>;
  readonly #leftJoin: boolean;

  /** `topic`: the name the left value serde is called with, the same as the sender's (or the hashes differ). */
  constructor(
    values: KTableValueGetterSupplier<K, V>,
    valueSerde: Serde<V>,
    topic: string,
    joiner: ForeignKeyJoiner<V, VO, VR>,
    leftJoin: boolean,
  ) {
    this.#values = values;
    this.#valueSerde = valueSerde;
    this.#topic = topic;
    this.#joiner = joiner;
    this.#leftJoin = leftJoin;
  }

  get(): Processor<K, ResponseWrapper<VO>, K, VR | null> {
    const getter = this.#values.get();
    const valueSerde = this.#valueSerde;
    const topic = this.#topic;
    const joiner = this.#joiner;
    const leftJoin = this.#leftJoin;
    return new (class extends ContextualProcessor<K, ResponseWrapper<VO>, K, VR | null> {
      readonly #getter: KTableValueGetter<K, V> = getter;

      override init(context: ProcessorContext<K, VR | null>): void {
        super.init(context);
        this.#getter.init(context as ProcessorContext<unknown, unknown>);
      }

      process(record: Record<K, ResponseWrapper<VO>>): void {
        const current = this.#getter.get(record.key);
        const response = record.value;
        const currentHash = current === undefined ? null : valueHash(valueSerde.serialize(topic, current.value));
        const same =
          currentHash === null || response.hash === null
            ? currentHash === response.hash
            : currentHash.equals(response.hash);
        if (!same) return;
        const result =
          current === undefined || (response.foreignValue === null && !leftJoin)
            ? null
            : joiner(current.value, response.foreignValue);
        this.context.forward(record.withValue(result));
      }
    })();
  }
}
