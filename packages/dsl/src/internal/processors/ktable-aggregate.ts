import type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  TimestampedKeyValueStore,
} from '@kaskade/processor-api';
import type { TableAggregateFunctions } from '../aggregate-functions.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import { TupleForwarder } from '../tuple-forwarder.js';

/**
 * `KGroupedTable.count` / `aggregate` / `reduce`: for each update, subtracts the old value from the key's aggregate
 * and adds the new one (a key without an aggregate starts from `functions.first`). An aggregate stays when it reaches
 * its initial value, as in Kafka Streams; an aggregate (or reduce) that becomes null deletes the key, and the delete
 * is forwarded.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableAggregate
 * @see org.apache.kafka.streams.kstream.internals.KTableReduce
 */
export class KTableAggregate<K, V, VA> implements ProcessorSupplier<K, Change<V>, K, Change<VA>> {
  readonly #storeName: string;
  readonly #functions: TableAggregateFunctions<K, V, VA>;

  constructor(storeName: string, functions: TableAggregateFunctions<K, V, VA>) {
    this.#storeName = storeName;
    this.#functions = functions;
  }

  get(): Processor<K, Change<V>, K, Change<VA>> {
    return new KTableAggregateProcessor(this.#storeName, this.#functions);
  }
}

class KTableAggregateProcessor<K, V, VA> extends ContextualProcessor<K, Change<V>, K, Change<VA>> {
  readonly #storeName: string;
  readonly #functions: TableAggregateFunctions<K, V, VA>;
  #store!: TimestampedKeyValueStore<K, VA>;
  #forwarder!: TupleForwarder<K, VA>;

  constructor(storeName: string, functions: TableAggregateFunctions<K, V, VA>) {
    super();
    this.#storeName = storeName;
    this.#functions = functions;
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
    const fns = this.#functions;
    const old = this.#store.get(key);
    const oldAgg = old === undefined ? null : old.value;
    let timestamp = record.timestamp;
    let agg = oldAgg;
    const { newValue, oldValue } = record.value;
    if (oldValue !== null && agg !== null) {
      agg = fns.subtract(key, oldValue, agg);
      timestamp = Math.max(record.timestamp, old!.timestamp);
    }
    if (newValue !== null) {
      agg = agg === null ? fns.first(key, newValue) : fns.add(key, newValue, agg);
      if (old !== undefined) timestamp = Math.max(record.timestamp, old.timestamp);
    }
    if (agg == null) {
      // Also when there was no aggregate: Kafka Streams writes the null (a delete) and forwards it all the same.
      this.#store.delete(key);
      this.#forwarder.maybeForward(record.withValue(change<VA>(null, oldAgg)).withTimestamp(timestamp));
      return;
    }
    this.#store.put(key, { value: agg, timestamp });
    this.#forwarder.maybeForward(record.withValue(change(agg, oldAgg)).withTimestamp(timestamp));
  }
}
