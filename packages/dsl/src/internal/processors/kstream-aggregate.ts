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
 * `count` and `aggregate` of a grouped stream: one aggregate per key in a timestamped key-value store, updated and
 * forwarded (as a table update) for every record. The update's timestamp is the largest input timestamp of the key.
 * Records with a null key or value are dropped and counted (`null-key`, `null-value`).
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamAggregate
 */
export class KStreamAggregate<K, V, VA> implements ProcessorSupplier<K, V, K, Change<VA>> {
  readonly #storeName: string;
  readonly #initializer: Initializer<VA>;
  readonly #aggregator: Aggregator<K, V, VA>;

  constructor(storeName: string, initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>) {
    this.#storeName = storeName;
    this.#initializer = initializer;
    this.#aggregator = aggregator;
  }

  get(): Processor<K, V, K, Change<VA>> {
    return new KStreamAggregateProcessor(this.#storeName, this.#initializer, this.#aggregator);
  }
}

class KStreamAggregateProcessor<K, V, VA> extends ContextualProcessor<K, V, K, Change<VA>> {
  readonly #storeName: string;
  readonly #initializer: Initializer<VA>;
  readonly #aggregator: Aggregator<K, V, VA>;
  #store!: TimestampedKeyValueStore<K, VA>;
  #forwarder!: TupleForwarder<K, VA>;

  constructor(storeName: string, initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>) {
    super();
    this.#storeName = storeName;
    this.#initializer = initializer;
    this.#aggregator = aggregator;
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
    const oldAgg = old === undefined ? this.#initializer() : old.value;
    const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    const newAgg = this.#aggregator(record.key, record.value, oldAgg);
    this.#store.put(record.key, { value: newAgg, timestamp });
    this.#forwarder.maybeForward(
      record.withValue(change(newAgg, old === undefined ? null : old.value)).withTimestamp(timestamp),
    );
  }
}
