import type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  TimestampedKeyValueStore,
} from '@kaskade/processor-api';
import type { ValueMapper } from '../../functions.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import type { KTableValueGetterSupplier } from '../ktable-value-getter.js';
import { TupleForwarder } from '../tuple-forwarder.js';

/**
 * `KTable.mapValues`: maps the new and the old value of every update (tombstones stay tombstones). Optionally
 * materialized in its own store.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableMapValues
 */
export class KTableMapValues<K, V, VR> implements ProcessorSupplier<K, Change<V>, K, Change<VR>> {
  readonly #mapper: ValueMapper<V, VR, K>;
  readonly #storeName: string | undefined;

  constructor(mapper: ValueMapper<V, VR, K>, storeName: string | undefined) {
    this.#mapper = mapper;
    this.#storeName = storeName;
  }

  get(): Processor<K, Change<V>, K, Change<VR>> {
    return new KTableMapValuesProcessor(this.#mapper, this.#storeName);
  }

  /** A getter that maps the parent's values (when not materialized). */
  view(parent: KTableValueGetterSupplier<K, V>): KTableValueGetterSupplier<K, VR> {
    const mapper = this.#mapper;
    return {
      // Read lazily: asking a source table for its stores materializes it, and only a join asks.
      get storeNames() {
        return parent.storeNames;
      },
      get() {
        const getter = parent.get();
        return {
          init: (context) => getter.init(context),
          get: (key) => {
            const v = getter.get(key);
            return v === undefined ? undefined : { value: mapper(v.value, key), timestamp: v.timestamp };
          },
        };
      },
    };
  }
}

class KTableMapValuesProcessor<K, V, VR> extends ContextualProcessor<K, Change<V>, K, Change<VR>> {
  readonly #mapper: ValueMapper<V, VR, K>;
  readonly #storeName: string | undefined;
  #store: TimestampedKeyValueStore<K, VR> | undefined;
  #forwarder: TupleForwarder<K, VR> | undefined;

  constructor(mapper: ValueMapper<V, VR, K>, storeName: string | undefined) {
    super();
    this.#mapper = mapper;
    this.#storeName = storeName;
  }

  override init(context: ProcessorContext<K, Change<VR>>): void {
    super.init(context);
    if (this.#storeName !== undefined) {
      this.#store = context.getStateStore<TimestampedKeyValueStore<K, VR>>(this.#storeName);
      this.#forwarder = new TupleForwarder(this.#store, context, 'timestamped');
    }
  }

  process(record: Record<K, Change<V>>): void {
    const key = record.key;
    const { newValue: n, oldValue: o } = record.value;
    const newValue = n === null ? null : this.#mapper(n, key);
    const oldValue = o === null ? null : this.#mapper(o, key);
    const out = record.withValue(change(newValue, oldValue));
    const store = this.#store;
    if (store !== undefined) {
      if (newValue === null || newValue === undefined) store.delete(key);
      else store.put(key, { value: newValue, timestamp: record.timestamp });
      this.#forwarder!.maybeForward(out);
    } else {
      this.context.forward(out);
    }
  }
}
