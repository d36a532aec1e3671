import { VERSIONED_PUT_NOT_PUT } from '@kaskade/processor-api';
import type {
  VersionedKeyValueStore,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  TimestampedKeyValueStore,
} from '@kaskade/processor-api';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import type { SourceTableMaterialization } from '../source-table-materialization.js';
import { TupleForwarder } from '../tuple-forwarder.js';

/**
 * Turns a changelog stream into a table (`StreamsBuilder.table`, `KStream.toTable`): each record upserts its key in
 * a timestamped key-value store, a null value deletes it, and the change (new value, old value) is forwarded. Records
 * with a null key are dropped and counted as `null-key`.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableSource
 */
export class KTableSource<K, V> implements ProcessorSupplier<K, V | null, K, Change<V>> {
  readonly #materialization: SourceTableMaterialization;

  constructor(materialization: SourceTableMaterialization) {
    this.#materialization = materialization;
  }

  get(): Processor<K, V | null, K, Change<V>> {
    const m = this.#materialization;
    return m.materialized ? new KTableSourceProcessor<K, V>(m.storeName) : new KTableSourceForwarder<K, V>();
  }
}

/** A table nothing reads the values of: each record is forwarded as a change without an old value. */
class KTableSourceForwarder<K, V> extends ContextualProcessor<K, V | null, K, Change<V>> {
  process(record: Record<K, V | null>): void {
    if (record.key == null) {
      this.context.recordDropped('null-key');
      return;
    }
    this.context.forward(record.withValue(change(record.value ?? null, null)));
  }
}

class KTableSourceProcessor<K, V> extends ContextualProcessor<K, V | null, K, Change<V>> {
  readonly #storeName: string;
  #store!: TimestampedKeyValueStore<K, V>;
  #forwarder!: TupleForwarder<K, V>;
  /** The store, when it is versioned (`Stores.persistentVersionedKeyValueStore`). */
  #versioned: VersionedKeyValueStore<K, V> | undefined;

  constructor(storeName: string) {
    super();
    this.#storeName = storeName;
  }

  override init(context: ProcessorContext<K, Change<V>>): void {
    super.init(context);
    this.#store = context.getStateStore<TimestampedKeyValueStore<K, V>>(this.#storeName);
    const store = this.#store as unknown as VersionedKeyValueStore<K, V>;
    if (typeof store.historyRetentionMs === 'number') this.#versioned = store;
    this.#forwarder = new TupleForwarder(this.#store, context, 'timestamped');
  }

  process(record: Record<K, V | null>): void {
    const key = record.key;
    if (key == null) {
      this.context.recordDropped('null-key');
      return;
    }
    const old = this.#store.get(key);
    const value = record.value ?? null;
    const versioned = this.#versioned;
    if (versioned !== undefined) {
      // KIP-914: a write older than the history retention is not applied and not forwarded; out-of-order writes
      // within it are (as Kafka Streams 4.3.1 does).
      if (versioned.put(key, value, record.timestamp) === VERSIONED_PUT_NOT_PUT) {
        this.context.recordDropped('expired versioned write');
        return;
      }
    } else if (value === null) {
      if (old !== undefined) this.#store.delete(key);
    } else {
      this.#store.put(key, { value, timestamp: record.timestamp });
    }
    this.#forwarder.maybeForward(record.withValue(change(value, old === undefined ? null : old.value)));
  }
}
