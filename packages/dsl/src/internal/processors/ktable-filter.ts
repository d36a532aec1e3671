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
import type { OldValuesSwitch } from '../source-table-materialization.js';
import { TupleForwarder } from '../tuple-forwarder.js';

/**
 * `KTable.filter` / `filterNot`: a key whose value does not pass is absent from the result, so an update that makes
 * a key fail forwards a tombstone. When old values are sent (a downstream `groupBy`, a materialized parent or filter),
 * an update where neither the old nor the new value passes forwards nothing; otherwise it forwards a delete.
 * Optionally materialized in its own store.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableFilter
 */
export class KTableFilter<K, V> implements ProcessorSupplier<K, Change<V>, K, Change<V>>, OldValuesSwitch {
  readonly #predicate: Predicate<K, V>;
  readonly #filterNot: boolean;
  readonly #storeName: string | undefined;
  readonly #parent: OldValuesSwitch | undefined;
  #sendOldValues: boolean;

  constructor(
    predicate: Predicate<K, V>,
    filterNot: boolean,
    storeName: string | undefined,
    parent: OldValuesSwitch | undefined,
  ) {
    this.#predicate = predicate;
    this.#filterNot = filterNot;
    this.#storeName = storeName;
    this.#parent = parent;
    // As Kafka Streams: when the parent already keeps its values (materialized), send old values, which spares
    // downstream the tombstones of keys that never passed.
    this.#sendOldValues = parent === undefined || parent.enableSendingOldValues(false);
  }

  enableSendingOldValues(forceMaterialization: boolean): boolean {
    if (this.#storeName !== undefined) return (this.#sendOldValues = true);
    if (this.#parent === undefined || this.#parent.enableSendingOldValues(forceMaterialization)) {
      this.#sendOldValues = true;
    }
    return this.#sendOldValues;
  }

  get(): Processor<K, Change<V>, K, Change<V>> {
    return new KTableFilterProcessor(this.#predicate, this.#filterNot, this.#storeName, this.#sendOldValues);
  }

  /** A getter that filters the parent's values (when not materialized). */
  view(parent: KTableValueGetterSupplier<K, V>): KTableValueGetterSupplier<K, V> {
    const predicate = this.#predicate;
    const filterNot = this.#filterNot;
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
  readonly #sendOldValues: boolean;
  #store: TimestampedKeyValueStore<K, V> | undefined;
  #forwarder: TupleForwarder<K, V> | undefined;

  constructor(predicate: Predicate<K, V>, filterNot: boolean, storeName: string | undefined, sendOldValues: boolean) {
    super();
    this.#predicate = predicate;
    this.#filterNot = filterNot;
    this.#storeName = storeName;
    this.#sendOldValues = sendOldValues;
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
    // Without old values a delete cannot be told from a key that never passed: forward (null, null), as Kafka
    // Streams' KTableFilter does, so downstream sees a delete for every update that does not pass.
    const oldValue = this.#sendOldValues ? this.#compute(key, record.value.oldValue) : null;
    if (this.#sendOldValues && newValue === null && oldValue === null) return;
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
