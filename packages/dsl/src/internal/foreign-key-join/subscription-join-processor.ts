import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '@kaskade/processor-api';
import { ContextualProcessor } from '../contextual-processor.js';
import type { KTableValueGetter, KTableValueGetterSupplier } from '../ktable-value-getter.js';
import type { ResponseWrapper } from './response-wrapper.js';
import { Instruction } from './subscription-wrapper.js';
import type { SubscriptionWrapper } from './subscription-wrapper.js';

/**
 * Answers a subscription with the right table's current value for its foreign key, as its instruction says, keyed
 * by the primary key. The answer's timestamp is the later of the subscription's and the right value's.
 *
 * @see org.apache.kafka.streams.kstream.internals.foreignkeyjoin.SubscriptionJoinProcessorSupplier
 */
export class SubscriptionJoin<KO, K, VO> implements ProcessorSupplier<
  KO,
  SubscriptionWrapper<K>,
  K,
  ResponseWrapper<VO>
> {
  readonly #foreignValues: KTableValueGetterSupplier<KO, VO>;

  constructor(foreignValues: KTableValueGetterSupplier<KO, VO>) {
    this.#foreignValues = foreignValues;
  }

  get(): Processor<KO, SubscriptionWrapper<K>, K, ResponseWrapper<VO>> {
    const getter = this.#foreignValues.get();
    return new (class extends ContextualProcessor<KO, SubscriptionWrapper<K>, K, ResponseWrapper<VO>> {
      readonly #getter: KTableValueGetter<KO, VO> = getter;

      override init(context: ProcessorContext<K, ResponseWrapper<VO>>): void {
        super.init(context);
        this.#getter.init(context as ProcessorContext<unknown, unknown>);
      }

      process(record: Record<KO, SubscriptionWrapper<K>>): void {
        const wrapper = record.value;
        if (wrapper.instruction === Instruction.DeleteNoPropagate) return;
        const foreign = record.key == null ? undefined : this.#getter.get(record.key);
        if (foreign === undefined && wrapper.instruction === Instruction.PropagateOnlyIfValue) return;
        const timestamp = foreign === undefined ? record.timestamp : Math.max(record.timestamp, foreign.timestamp);
        const foreignValue =
          foreign === undefined || wrapper.instruction === Instruction.DeleteAndPropagate ? null : foreign.value;
        this.context.forward(
          record
            .withKey(wrapper.primaryKey)
            .withValue({ hash: wrapper.hash, foreignValue, primaryPartition: wrapper.primaryPartition })
            .withTimestamp(timestamp),
        );
      }
    })();
  }
}
