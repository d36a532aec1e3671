import type { Processor, ProcessorContext, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { InternalJoiner } from '../internal-joiner.js';
import { ContextualProcessor } from '../contextual-processor.js';
import type { KTableValueGetter, KTableValueGetterSupplier } from '../ktable-value-getter.js';

/**
 * Stream-table join: each stream record looks up the table's value for its key at processing time. An inner join
 * forwards only records that find a value; a left join forwards every record, with null when the table has none.
 * Results keep the stream record's timestamp. Stream records with a null value are dropped and counted, and so are
 * records with a null key in an inner join; a left join forwards them joined with null (KIP-962). Joined with a
 * global table, the key looked up is the one the key selector computes from the stream's key and value (the stream's
 * own key does not matter), with the same rules for a null result.
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamKTableJoin
 */
export class KStreamKTableJoin<K, V, VT, VR> implements ProcessorSupplier<K, V, K, VR> {
  readonly #table: KTableValueGetterSupplier<unknown, VT>;
  readonly #joiner: InternalJoiner<V, VT | null, VR, K>;
  readonly #leftJoin: boolean;
  readonly #keySelector: ((key: K, value: V) => unknown) | undefined;

  constructor(
    table: KTableValueGetterSupplier<unknown, VT>,
    joiner: InternalJoiner<V, VT | null, VR, K>,
    leftJoin: boolean,
    keySelector?: (key: K, value: V) => unknown,
  ) {
    this.#table = table;
    this.#joiner = joiner;
    this.#leftJoin = leftJoin;
    this.#keySelector = keySelector;
  }

  get(): Processor<K, V, K, VR> {
    return new KStreamKTableJoinProcessor(this.#table.get(), this.#joiner, this.#leftJoin, this.#keySelector);
  }
}

class KStreamKTableJoinProcessor<K, V, VT, VR> extends ContextualProcessor<K, V, K, VR> {
  readonly #getter: KTableValueGetter<unknown, VT>;
  readonly #joiner: InternalJoiner<V, VT | null, VR, K>;
  readonly #leftJoin: boolean;
  readonly #keySelector: ((key: K, value: V) => unknown) | undefined;

  constructor(
    getter: KTableValueGetter<unknown, VT>,
    joiner: InternalJoiner<V, VT | null, VR, K>,
    leftJoin: boolean,
    keySelector: ((key: K, value: V) => unknown) | undefined,
  ) {
    super();
    this.#getter = getter;
    this.#joiner = joiner;
    this.#leftJoin = leftJoin;
    this.#keySelector = keySelector;
  }

  override init(context: ProcessorContext<K, VR>): void {
    super.init(context);
    this.#getter.init(context as ProcessorContext<unknown, unknown>);
  }

  process(record: Record<K, V>): void {
    if (record.value == null) {
      this.context.recordDropped('null-value');
      return;
    }
    const key = this.#keySelector === undefined ? record.key : this.#keySelector(record.key, record.value);
    if (key == null) {
      // KIP-962: a left join has nothing to look up for a null key, but still forwards the record, joined with null.
      if (this.#leftJoin) this.context.forward(record.withValue(this.#joiner(record.value, null, record.key)));
      else this.context.recordDropped('null-key');
      return;
    }
    // A versioned table answers as of the stream record's timestamp (KIP-914); others with their latest value.
    const getter = this.#getter;
    const tableValue = getter.getAsOf === undefined ? getter.get(key) : getter.getAsOf(key, record.timestamp);
    if (tableValue === undefined && !this.#leftJoin) return;
    this.context.forward(
      record.withValue(this.#joiner(record.value, tableValue === undefined ? null : tableValue.value, record.key)),
    );
  }
}
