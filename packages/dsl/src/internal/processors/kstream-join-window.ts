import type { Processor, ProcessorContext, ProcessorSupplier, Record, WindowStore } from '@kaskade/processor-api';
import { ContextualProcessor } from '../contextual-processor.js';

/**
 * One side's buffer of a stream-stream join: forwards each record to the join processor, then keeps it in a window
 * store (retaining duplicates, keyed by the record's timestamp) where the other side's join processor finds it.
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamJoinWindow
 */
export class KStreamJoinWindow<K, V> implements ProcessorSupplier<K, V, K, V> {
  readonly #storeName: string;

  constructor(storeName: string) {
    this.#storeName = storeName;
  }

  get(): Processor<K, V, K, V> {
    return new KStreamJoinWindowProcessor<K, V>(this.#storeName);
  }
}

class KStreamJoinWindowProcessor<K, V> extends ContextualProcessor<K, V, K, V> {
  readonly #storeName: string;
  #store!: WindowStore<K, V>;

  constructor(storeName: string) {
    super();
    this.#storeName = storeName;
  }

  override init(context: ProcessorContext<K, V>): void {
    super.init(context);
    this.#store = context.getStateStore<WindowStore<K, V>>(this.#storeName);
  }

  process(record: Record<K, V>): void {
    this.context.forward(record);
    // Records without key or value never join; the join processor drops and counts them.
    if (record.key != null && record.value != null) this.#store.put(record.key, record.value, record.timestamp);
  }
}
