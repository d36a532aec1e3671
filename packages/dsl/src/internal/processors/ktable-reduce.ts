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
 * `KGroupedTable.reduce`: for each update, removes the old value from the key's aggregate with the subtractor and
 * combines the new one with the adder; the first value of a key is its aggregate.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableReduce
 */
export class KTableReduce<K, V> implements ProcessorSupplier<K, Change<V>, K, Change<V>> {
  readonly #storeName: string;
  readonly #adder: Reducer<V>;
  readonly #subtractor: Reducer<V>;

  constructor(storeName: string, adder: Reducer<V>, subtractor: Reducer<V>) {
    this.#storeName = storeName;
    this.#adder = adder;
    this.#subtractor = subtractor;
  }

  get(): Processor<K, Change<V>, K, Change<V>> {
    return new KTableReduceProcessor(this.#storeName, this.#adder, this.#subtractor);
  }
}

class KTableReduceProcessor<K, V> extends ContextualProcessor<K, Change<V>, K, Change<V>> {
  readonly #storeName: string;
  readonly #adder: Reducer<V>;
  readonly #subtractor: Reducer<V>;
  #store!: TimestampedKeyValueStore<K, V>;
  #forwarder!: TupleForwarder<K, V>;

  constructor(storeName: string, adder: Reducer<V>, subtractor: Reducer<V>) {
    super();
    this.#storeName = storeName;
    this.#adder = adder;
    this.#subtractor = subtractor;
  }

  override init(context: ProcessorContext<K, Change<V>>): void {
    super.init(context);
    this.#store = context.getStateStore<TimestampedKeyValueStore<K, V>>(this.#storeName);
    this.#forwarder = new TupleForwarder(this.#store, context, 'timestamped');
  }

  process(record: Record<K, Change<V>>): void {
    const key = record.key;
    if (key == null) {
      this.context.recordDropped('null-key');
      return;
    }
    const old = this.#store.get(key);
    const oldAgg = old === undefined ? null : old.value;
    let timestamp = record.timestamp;
    let agg = oldAgg;
    const { newValue, oldValue } = record.value;
    if (oldValue !== null && agg !== null) {
      agg = this.#subtractor(agg, oldValue);
      timestamp = Math.max(record.timestamp, old!.timestamp);
    }
    if (newValue !== null) {
      agg = agg === null ? newValue : this.#adder(agg, newValue);
      if (old !== undefined) timestamp = Math.max(record.timestamp, old.timestamp);
    }
    if (agg === null || agg === undefined) this.#store.delete(key);
    else this.#store.put(key, { value: agg, timestamp });
    this.#forwarder.maybeForward(record.withValue(change(agg ?? null, oldAgg)).withTimestamp(timestamp));
  }
}
