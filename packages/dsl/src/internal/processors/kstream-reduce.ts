import type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  TimestampedKeyValueStore,
} from '@kaskade/processor-api';
import type { Reducer } from '../../functions.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import { TupleForwarder } from '../tuple-forwarder.js';

/**
 * `reduce` of a grouped stream: the first value of a key is its aggregate; each later value is combined with it.
 * Records with a null key or value are dropped and counted.
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamReduce
 */
export class KStreamReduce<K, V> implements ProcessorSupplier<K, V, K, Change<V>> {
  readonly #storeName: string;
  readonly #reducer: Reducer<V>;

  constructor(storeName: string, reducer: Reducer<V>) {
    this.#storeName = storeName;
    this.#reducer = reducer;
  }

  get(): Processor<K, V, K, Change<V>> {
    return new KStreamReduceProcessor(this.#storeName, this.#reducer);
  }
}

class KStreamReduceProcessor<K, V> extends ContextualProcessor<K, V, K, Change<V>> {
  readonly #storeName: string;
  readonly #reducer: Reducer<V>;
  #store!: TimestampedKeyValueStore<K, V>;
  #forwarder!: TupleForwarder<K, V>;

  constructor(storeName: string, reducer: Reducer<V>) {
    super();
    this.#storeName = storeName;
    this.#reducer = reducer;
  }

  override init(context: ProcessorContext<K, Change<V>>): void {
    super.init(context);
    this.#store = context.getStateStore<TimestampedKeyValueStore<K, V>>(this.#storeName);
    this.#forwarder = new TupleForwarder(this.#store, context, 'timestamped');
  }

  process(record: Record<K, V>): void {
    if (record.key == null) {
      this.context.recordDropped('null-key');
      return;
    }
    if (record.value == null) {
      this.context.recordDropped('null-value');
      return;
    }
    const old = this.#store.get(record.key);
    const newAgg = old === undefined ? record.value : this.#reducer(old.value, record.value);
    const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    this.#store.put(record.key, { value: newAgg, timestamp });
    this.#forwarder.maybeForward(
      record.withValue(change(newAgg, old === undefined ? null : old.value)).withTimestamp(timestamp),
    );
  }
}
