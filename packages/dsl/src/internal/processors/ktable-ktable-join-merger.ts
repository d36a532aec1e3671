import type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  TimestampedKeyValueStore,
} from '@kaskade/processor-api';
import type { Change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import { TupleForwarder } from '../tuple-forwarder.js';

/**
 * Merges the two sides of a table-table join into one table, materializing the result when a store is given.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableKTableJoinMerger
 */
export class KTableKTableJoinMerger<K, V> implements ProcessorSupplier<K, Change<V>, K, Change<V>> {
  readonly #storeName: string | undefined;

  constructor(storeName: string | undefined) {
    this.#storeName = storeName;
  }

  get(): Processor<K, Change<V>, K, Change<V>> {
    return new KTableKTableJoinMergerProcessor<K, V>(this.#storeName);
  }
}

class KTableKTableJoinMergerProcessor<K, V> extends ContextualProcessor<K, Change<V>, K, Change<V>> {
  readonly #storeName: string | undefined;
  #store: TimestampedKeyValueStore<K, V> | undefined;
  #forwarder: TupleForwarder<K, V> | undefined;

  constructor(storeName: string | undefined) {
    super();
    this.#storeName = storeName;
  }

  override init(context: ProcessorContext<K, Change<V>>): void {
    super.init(context);
    if (this.#storeName !== undefined) {
      this.#store = context.getStateStore<TimestampedKeyValueStore<K, V>>(this.#storeName);
      this.#forwarder = new TupleForwarder(this.#store, context, 'timestamped');
    }
  }

  process(record: Record<K, Change<V>>): void {
    const store = this.#store;
    if (store === undefined) {
      this.context.forward(record);
      return;
    }
    const value = record.value.newValue;
    if (value === null || value === undefined) store.delete(record.key);
    else store.put(record.key, { value, timestamp: record.timestamp });
    this.#forwarder!.maybeForward(record);
  }
}
