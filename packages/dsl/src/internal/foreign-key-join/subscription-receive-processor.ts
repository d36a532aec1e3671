import type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  TimestampedKeyValueStore,
} from '@kaskade/processor-api';
import { ContextualProcessor } from '../contextual-processor.js';
import type { CombinedKeySchema } from './combined-key.js';
import { Instruction } from './subscription-wrapper.js';
import type { SubscriptionWrapper } from './subscription-wrapper.js';

/**
 * The right side's receiver: keeps the subscription store (foreign key, primary key) → subscription up to date, so
 * that right-side updates find their subscribers, and passes each subscription on to be answered.
 *
 * @see org.apache.kafka.streams.kstream.internals.foreignkeyjoin.SubscriptionReceiveProcessorSupplier
 */
export class SubscriptionReceive<KO, K> implements ProcessorSupplier<
  KO,
  SubscriptionWrapper<K>,
  KO,
  SubscriptionWrapper<K>
> {
  readonly #storeName: string;
  readonly #keySchema: CombinedKeySchema<KO, K>;

  constructor(storeName: string, keySchema: CombinedKeySchema<KO, K>) {
    this.#storeName = storeName;
    this.#keySchema = keySchema;
  }

  get(): Processor<KO, SubscriptionWrapper<K>, KO, SubscriptionWrapper<K>> {
    const storeName = this.#storeName;
    const schema = this.#keySchema;
    return new (class extends ContextualProcessor<KO, SubscriptionWrapper<K>, KO, SubscriptionWrapper<K>> {
      #store!: TimestampedKeyValueStore<Buffer, SubscriptionWrapper<K>>;

      override init(context: ProcessorContext<KO, SubscriptionWrapper<K>>): void {
        super.init(context);
        this.#store = context.getStateStore<TimestampedKeyValueStore<Buffer, SubscriptionWrapper<K>>>(storeName);
      }

      process(record: Record<KO, SubscriptionWrapper<K>>): void {
        const wrapper = record.value;
        if (record.key == null) {
          // A left join's null foreign key: nothing to subscribe to, but it is answered (with null).
          if (wrapper.instruction === Instruction.PropagateNullIfNoValue) this.context.forward(record);
          else this.context.recordDropped('null-foreign-key');
          return;
        }
        const key = schema.toBytes(record.key, wrapper.primaryKey);
        const instruction = wrapper.instruction;
        if (instruction === Instruction.DeleteAndPropagate || instruction === Instruction.DeleteNoPropagate) {
          this.#store.delete(key);
        } else {
          this.#store.put(key, { value: wrapper, timestamp: record.timestamp });
        }
        this.context.forward(record);
      }
    })();
  }
}
