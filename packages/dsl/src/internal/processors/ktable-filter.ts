import type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  TimestampedKeyValueStore,
} from '@kaskade/processor-api';
import type { Predicate } from '../../functions.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import type { KTableValueGetterSupplier } from '../ktable-value-getter.js';
import { TupleForwarder } from '../tuple-forwarder.js';

/**
 * `KTable.filter` / `filterNot`: a key whose value does not pass is absent from the result, so an update that makes
 * a key fail forwards a tombstone; an update where neither the old nor the new value passes forwards nothing.
 * Optionally materialized in its own store.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableFilter
 */
export class KTableFilter<K, V> implements ProcessorSupplier<K, Change<V>, K, Change<V>> {
  readonly #predicate: Predicate<K, V>;
  readonly #filterNot: boolean;
  readonly #storeName: string | undefined;

  constructor(predicate: Predicate<K, V>, filterNot: boolean, storeName: string | undefined) {
    this.#predicate = predicate;
    this.#filterNot = filterNot;
    this.#storeName = storeName;
  }

  get(): Processor<K, Change<V>, K, Change<V>> {
    return new KTableFilterProcessor(this.#predicate, this.#filterNot, this.#storeName);
  }

  /** A getter that filters the parent's values (when not materialized). */
  view(parent: KTableValueGetterSupplier<K, V>): KTableValueGetterSupplier<K, V> {
    const predicate = this.#predicate;
    const filterNot = this.#filterNot;
    return {
      storeNames: parent.storeNames,
      get() {
        const getter = parent.get();
        return {
          init: (context) => getter.init(context),
          get: (key) => {
            const v = getter.get(key);
            return v !== undefined && predicate(key, v.value) !== filterNot ? v : undefined;
          },
        };
      },
    };
  }
}

class KTableFilterProcessor<K, V> extends ContextualProcessor<K, Change<V>, K, Change<V>> {
  readonly #predicate: Predicate<K, V>;
  readonly #filterNot: boolean;
  readonly #storeName: string | undefined;
  #store: TimestampedKeyValueStore<K, V> | undefined;
  #forwarder: TupleForwarder<K, V> | undefined;

  constructor(predicate: Predicate<K, V>, filterNot: boolean, storeName: string | undefined) {
    super();
    this.#predicate = predicate;
    this.#filterNot = filterNot;
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
    const key = record.key;
    const newValue = this.#compute(key, record.value.newValue);
    const oldValue = this.#compute(key, record.value.oldValue);
    if (newValue === null && oldValue === null) return;
    const out = record.withValue(change(newValue, oldValue));
    const store = this.#store;
    if (store !== undefined) {
      if (newValue === null) store.delete(key);
      else store.put(key, { value: newValue, timestamp: record.timestamp });
      this.#forwarder!.maybeForward(out);
    } else {
      this.context.forward(out);
    }
  }

  #compute(key: K, value: V | null): V | null {
    return value !== null && this.#predicate(key, value) !== this.#filterNot ? value : null;
  }
}
