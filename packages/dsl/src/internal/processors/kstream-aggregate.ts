import type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  TimestampedKeyValueStore,
} from '@kaskade/processor-api';
import type { AggregateFunctions } from '../aggregate-functions.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import { TupleForwarder } from '../tuple-forwarder.js';

/**
 * `count`, `aggregate` and `reduce` of a grouped stream: one aggregate per key in a timestamped key-value store,
 * updated and forwarded (as a table update) for every record. A key starts from its first value (`functions.first`:
 * the initializer's aggregate, or for `reduce` the value itself). The update's timestamp is the largest input
 * timestamp of the key. Records with a null key or value are dropped and counted (`null-key`, `null-value`).
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamAggregate
 * @see org.apache.kafka.streams.kstream.internals.KStreamReduce
 */
export class KStreamAggregate<K, V, VA> implements ProcessorSupplier<K, V, K, Change<VA>> {
  readonly #storeName: string;
  readonly #functions: AggregateFunctions<K, V, VA>;

  constructor(storeName: string, functions: AggregateFunctions<K, V, VA>) {
    this.#storeName = storeName;
    this.#functions = functions;
  }

  get(): Processor<K, V, K, Change<VA>> {
    return new KStreamAggregateProcessor(this.#storeName, this.#functions);
  }
}

class KStreamAggregateProcessor<K, V, VA> extends ContextualProcessor<K, V, K, Change<VA>> {
  readonly #storeName: string;
  readonly #first: (key: K, value: V) => VA;
  readonly #add: (key: K, value: V, aggregate: VA) => VA;
  #store!: TimestampedKeyValueStore<K, VA>;
  #forwarder!: TupleForwarder<K, VA>;

  constructor(storeName: string, functions: AggregateFunctions<K, V, VA>) {
    super();
    this.#storeName = storeName;
    this.#first = functions.first;
    this.#add = functions.add;
  }

  override init(context: ProcessorContext<K, Change<VA>>): void {
    super.init(context);
    this.#store = context.getStateStore<TimestampedKeyValueStore<K, VA>>(this.#storeName);
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
    const newAgg =
      old === undefined ? this.#first(record.key, record.value) : this.#add(record.key, record.value, old.value);
    const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    this.#store.put(record.key, { value: newAgg, timestamp });
    this.#forwarder.maybeForward(
      record.withValue(change(newAgg, old === undefined ? null : old.value)).withTimestamp(timestamp),
    );
  }
}
