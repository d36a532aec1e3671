import type { Processor, ProcessorContext, ProcessorSupplier, Record, ValueAndTimestamp } from '@kaskade/processor-api';
import type { Change } from '../change.js';
import { change } from '../change.js';
import type { InternalJoiner } from '../internal-joiner.js';
import { ContextualProcessor } from '../contextual-processor.js';
import type { KTableValueGetter, KTableValueGetterSupplier } from '../ktable-value-getter.js';

/** Which results one side of a table-table join produces. */
export type TableJoinMode =
  /** Both sides must have a value. */
  | 'inner'
  /** This side is the left side of a left join: its values always produce a result. */
  | 'left'
  /** This side is the right side of a left join: a result only where the left side has a value. */
  | 'right'
  /** Either side produces a result. */
  | 'outer';

/** The user's joiner with both sides in place: (left value or null, right value or null, key). */
export type TableJoiner<K> = InternalJoiner<unknown, unknown, unknown, K>;

/**
 * One side of a table-table join: for each update of this table, looks up the other table's current value and
 * forwards the change of the joined value (new result, old result); the result's timestamp is the larger of the two
 * sides' timestamps.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableKTableInnerJoin
 * @see org.apache.kafka.streams.kstream.internals.KTableKTableLeftJoin
 * @see org.apache.kafka.streams.kstream.internals.KTableKTableRightJoin
 * @see org.apache.kafka.streams.kstream.internals.KTableKTableOuterJoin
 */
export class KTableKTableJoin<K> implements ProcessorSupplier<K, Change<unknown>, K, Change<unknown>> {
  readonly #other: KTableValueGetterSupplier<K, unknown>;
  readonly #joiner: TableJoiner<K>;
  readonly #mode: TableJoinMode;
  readonly #thisIsLeft: boolean;

  constructor(
    other: KTableValueGetterSupplier<K, unknown>,
    joiner: TableJoiner<K>,
    mode: TableJoinMode,
    thisIsLeft: boolean,
  ) {
    this.#other = other;
    this.#joiner = joiner;
    this.#mode = mode;
    this.#thisIsLeft = thisIsLeft;
  }

  get(): Processor<K, Change<unknown>, K, Change<unknown>> {
    return new KTableKTableJoinProcessor(this.#other.get(), this.#joiner, this.#mode, this.#thisIsLeft);
  }
}

class KTableKTableJoinProcessor<K> extends ContextualProcessor<K, Change<unknown>, K, Change<unknown>> {
  readonly #other: KTableValueGetter<K, unknown>;
  readonly #joiner: TableJoiner<K>;
  readonly #mode: TableJoinMode;
  readonly #thisIsLeft: boolean;

  constructor(other: KTableValueGetter<K, unknown>, joiner: TableJoiner<K>, mode: TableJoinMode, thisIsLeft: boolean) {
    super();
    this.#other = other;
    this.#joiner = joiner;
    this.#mode = mode;
    this.#thisIsLeft = thisIsLeft;
  }

  override init(context: ProcessorContext<K, Change<unknown>>): void {
    super.init(context);
    this.#other.init(context as ProcessorContext<unknown, unknown>);
  }

  process(record: Record<K, Change<unknown>>): void {
    const key = record.key;
    if (key == null) {
      this.context.recordDropped('null-key');
      return;
    }
    const { newValue, oldValue } = record.value;
    const other: ValueAndTimestamp<unknown> | undefined = this.#other.get(key);
    let timestamp = record.timestamp;
    if (other === undefined) {
      if (this.#mode === 'inner' || this.#mode === 'right') return;
      if (newValue === null && oldValue === null) return;
    } else {
      timestamp = Math.max(record.timestamp, other.timestamp);
    }
    const otherValue = other === undefined ? null : other.value;
    let joinedNew: unknown = null;
    let joinedOld: unknown = null;
    switch (this.#mode) {
      case 'inner':
      case 'left':
        if (newValue !== null) joinedNew = this.#join(newValue, otherValue, key);
        if (oldValue !== null) joinedOld = this.#join(oldValue, otherValue, key);
        break;
      case 'right':
        // The left side (other) has a value: the result exists with or without this side's value.
        joinedNew = this.#join(newValue, otherValue, key);
        joinedOld = this.#join(oldValue, otherValue, key);
        break;
      case 'outer':
        if (other !== undefined || newValue !== null) joinedNew = this.#join(newValue, otherValue, key);
        if (other !== undefined || oldValue !== null) joinedOld = this.#join(oldValue, otherValue, key);
        break;
    }
    this.context.forward(record.withValue(change(joinedNew, joinedOld)).withTimestamp(timestamp));
  }

  #join(thisValue: unknown, otherValue: unknown, key: K): unknown {
    return this.#thisIsLeft ? this.#joiner(thisValue, otherValue, key) : this.#joiner(otherValue, thisValue, key);
  }
}

/** The value getter of a join's result (when it is not materialized): joins the two sides' current values. */
export function tableJoinValueGetter<K>(
  left: KTableValueGetterSupplier<K, unknown>,
  right: KTableValueGetterSupplier<K, unknown>,
  joiner: TableJoiner<K>,
  kind: 'inner' | 'left' | 'outer',
): KTableValueGetterSupplier<K, unknown> {
  return {
    storeNames: [...new Set([...left.storeNames, ...right.storeNames])],
    get() {
      const l = left.get();
      const r = right.get();
      return {
        init: (context) => {
          l.init(context);
          r.init(context);
        },
        get: (key) => {
          const lv = l.get(key);
          if (lv === undefined && kind !== 'outer') return undefined;
          const rv = r.get(key);
          if (rv === undefined && kind === 'inner') return undefined;
          if (lv === undefined && rv === undefined) return undefined;
          return {
            value: joiner(lv === undefined ? null : lv.value, rv === undefined ? null : rv.value, key),
            timestamp: Math.max(lv?.timestamp ?? -1, rv?.timestamp ?? -1),
          };
        },
      };
    },
  };
}
