import type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  TimestampedKeyValueStore,
} from '@kaskade/processor-api';
import type { Aggregator, Initializer } from '../../functions.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import { TupleForwarder } from '../tuple-forwarder.js';

/**
 * `KGroupedTable.count` / `aggregate`: for each update, subtracts the old value from the key's aggregate and adds the
 * new one. The aggregate stays (it is not deleted when it reaches its initial value), as in Kafka Streams.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableAggregate
 */
export class KTableAggregate<K, V, VA> implements ProcessorSupplier<K, Change<V>, K, Change<VA>> {
  readonly #storeName: string;
  readonly #initializer: Initializer<VA>;
  readonly #adder: Aggregator<K, V, VA>;
  readonly #subtractor: Aggregator<K, V, VA>;

  constructor(
    storeName: string,
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
  ) {
    this.#storeName = storeName;
    this.#initializer = initializer;
    this.#adder = adder;
    this.#subtractor = subtractor;
  }

  get(): Processor<K, Change<V>, K, Change<VA>> {
    return new KTableAggregateProcessor(this.#storeName, this.#initializer, this.#adder, this.#subtractor);
  }
}

class KTableAggregateProcessor<K, V, VA> extends ContextualProcessor<K, Change<V>, K, Change<VA>> {
  readonly #storeName: string;
  readonly #initializer: Initializer<VA>;
  readonly #adder: Aggregator<K, V, VA>;
  readonly #subtractor: Aggregator<K, V, VA>;
  #store!: TimestampedKeyValueStore<K, VA>;
  #forwarder!: TupleForwarder<K, VA>;

  constructor(
    storeName: string,
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
  ) {
    super();
    this.#storeName = storeName;
    this.#initializer = initializer;
    this.#adder = adder;
    this.#subtractor = subtractor;
  }

  override init(context: ProcessorContext<K, Change<VA>>): void {
    super.init(context);
    this.#store = context.getStateStore<TimestampedKeyValueStore<K, VA>>(this.#storeName);
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
      agg = this.#subtractor(key, oldValue, agg);
      timestamp = Math.max(record.timestamp, old!.timestamp);
    }
    if (newValue !== null) {
      agg = this.#adder(key, newValue, agg === null ? this.#initializer() : agg);
      if (old !== undefined) timestamp = Math.max(record.timestamp, old.timestamp);
    }
    if (agg === null) return;
    this.#store.put(key, { value: agg, timestamp });
    this.#forwarder.maybeForward(record.withValue(change(agg, oldAgg)).withTimestamp(timestamp));
  }
}
