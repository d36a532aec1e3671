import type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  TimestampedKeyValueStore,
} from '@kaskade/processor-api';
import type { Change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import type { CombinedKeySchema } from './combined-key.js';
import type { ResponseWrapper } from './response-wrapper.js';
import type { SubscriptionWrapper } from './subscription-wrapper.js';

/**
 * A right-table update: answers every primary key subscribed to its key (one prefix scan of the subscription store)
 * with the new value (null for a deletion), each answer carrying the hash its subscription was made with.
 *
 * @see org.apache.kafka.streams.kstream.internals.foreignkeyjoin.ForeignTableJoinProcessorSupplier
 */
export class ForeignTableJoin<KO, K, VO> implements ProcessorSupplier<KO, Change<VO>, K, ResponseWrapper<VO>> {
  readonly #storeName: string;
  readonly #keySchema: CombinedKeySchema<KO, K>;

  constructor(storeName: string, keySchema: CombinedKeySchema<KO, K>) {
    this.#storeName = storeName;
    this.#keySchema = keySchema;
  }

  get(): Processor<KO, Change<VO>, K, ResponseWrapper<VO>> {
    const storeName = this.#storeName;
    const schema = this.#keySchema;
    return new (class extends ContextualProcessor<KO, Change<VO>, K, ResponseWrapper<VO>> {
      #store!: TimestampedKeyValueStore<Buffer, SubscriptionWrapper<K>>;

      override init(context: ProcessorContext<K, ResponseWrapper<VO>>): void {
        super.init(context);
        this.#store = context.getStateStore<TimestampedKeyValueStore<Buffer, SubscriptionWrapper<K>>>(storeName);
      }

      process(record: Record<KO, Change<VO>>): void {
        if (record.key == null) {
          this.context.recordDropped('null-key');
          return;
        }
        const foreignValue = record.value.newValue;
        const subscribers = this.#store.prefixScan(schema.prefixBytes(record.key), (prefix: Buffer) => prefix);
        try {
          for (const { key, value } of subscribers) {
            const wrapper = value.value;
            this.context.forward(
              record
                .withKey(schema.primaryKey(key))
                .withValue({ hash: wrapper.hash, foreignValue, primaryPartition: wrapper.primaryPartition }),
            );
          }
        } finally {
          subscribers.close();
        }
      }
    })();
  }
}
