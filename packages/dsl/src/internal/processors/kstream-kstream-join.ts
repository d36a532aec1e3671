import type {
  KeyValueStore,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  WindowStore,
} from '@kaskade/processor-api';
import type { InternalJoiner } from '../internal-joiner.js';
import { ContextualProcessor } from '../contextual-processor.js';
import type { JoinSideValues, TimestampedKeyAndJoinSide } from '../serde/outer-join-serdes.js';

/** The user's joiner with both sides in place: (left value or null, right value or null, key). */
export type NormalizedJoiner<K> = InternalJoiner<unknown, unknown, unknown, K>;

/** Stream time and the oldest pending outer record, shared by the two join processors of one task. */
interface TimeTracker {
  streamTime: number;
  minTime: number;
}

/** What one side's join processor needs to know. */
export interface StreamStreamJoinSide {
  /** True for the left (this) stream's processor. */
  readonly leftSide: boolean;
  /** Emit this side's records that found no partner (left join: left side; outer join: both sides). */
  readonly outer: boolean;
  readonly otherStoreName: string;
  /** The shared store of unmatched records (left and outer joins). */
  readonly outerStoreName: string | undefined;
  /** Join window from this side's point of view: other records in [t - before, t + after]. */
  readonly joinBeforeMs: number;
  readonly joinAfterMs: number;
  /** The windows as defined (left's point of view), for when an unmatched record's window closes. */
  readonly windowsBeforeMs: number;
  readonly windowsAfterMs: number;
  readonly graceMs: number;
}

/**
 * One side of a windowed stream-stream join. A record at t joins every record of the other side's window store with
 * timestamps in [t - before, t + after]; each result has the larger of the two timestamps.
 *
 * In left and outer joins, a record without a partner is not emitted at once (a partner may still arrive) but kept in
 * an outer-join store shared by both sides; whenever a record advances stream time, pending records whose window has
 * closed (t + after + grace < stream time for left records, t + before + grace for right ones) are emitted with null
 * for the missing side, and a pending record that finds a partner meanwhile is removed. This is Kafka Streams 3.x's
 * fix for spurious left/outer results (KAFKA-10847), minus its wall-clock throttling of the store scan. One
 * difference: a record whose window has already closed including grace when it arrives is emitted at once;
 * Kafka Streams does so as soon as the window has closed without grace, which emits spurious results for
 * out-of-order records that a partner within grace would have matched.
 *
 * Records with a null value are dropped and counted (`null-value`); so are records with a null key, except on the
 * outer side of a left or outer join, which forwards them at once joined with null (KIP-962, Kafka Streams 3.7+).
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamKStreamJoin
 */
export class KStreamKStreamJoin<K, V> implements ProcessorSupplier<K, V, K, unknown> {
  readonly #side: StreamStreamJoinSide;
  readonly #joiner: NormalizedJoiner<K>;
  /** One tracker per task, found through the outer-join store instance both processors of the task share. */
  readonly #trackers: WeakMap<object, TimeTracker>;

  constructor(side: StreamStreamJoinSide, joiner: NormalizedJoiner<K>, trackers: WeakMap<object, TimeTracker>) {
    this.#side = side;
    this.#joiner = joiner;
    this.#trackers = trackers;
  }

  /** The tracker map both sides of one join share. */
  static newTrackers(): WeakMap<object, TimeTracker> {
    return new WeakMap();
  }

  get(): Processor<K, V, K, unknown> {
    return new KStreamKStreamJoinProcessor<K, V>(this.#side, this.#joiner, this.#trackers);
  }
}

class KStreamKStreamJoinProcessor<K, V> extends ContextualProcessor<K, V, K, unknown> {
  readonly #side: StreamStreamJoinSide;
  readonly #joiner: NormalizedJoiner<K>;
  readonly #trackers: WeakMap<object, TimeTracker>;
  #otherStore!: WindowStore<K, unknown>;
  #outerStore: KeyValueStore<TimestampedKeyAndJoinSide<K>, JoinSideValues> | undefined;
  #tracker: TimeTracker = { streamTime: -1, minTime: 0 };

  constructor(side: StreamStreamJoinSide, joiner: NormalizedJoiner<K>, trackers: WeakMap<object, TimeTracker>) {
    super();
    this.#side = side;
    this.#joiner = joiner;
    this.#trackers = trackers;
  }

  override init(context: ProcessorContext<K, unknown>): void {
    super.init(context);
    this.#otherStore = context.getStateStore<WindowStore<K, unknown>>(this.#side.otherStoreName);
    if (this.#side.outerStoreName !== undefined) {
      const store = context.getStateStore<KeyValueStore<TimestampedKeyAndJoinSide<K>, JoinSideValues>>(
        this.#side.outerStoreName,
      );
      this.#outerStore = store;
      let tracker = this.#trackers.get(store);
      // minTime 0: the first record that advances stream time looks for pending records restored from the changelog.
      if (tracker === undefined) this.#trackers.set(store, (tracker = { streamTime: -1, minTime: 0 }));
      this.#tracker = tracker;
    }
  }

  process(record: Record<K, V>): void {
    const side = this.#side;
    const tracker = this.#tracker;
    const t = record.timestamp;
    tracker.streamTime = Math.max(tracker.streamTime, t);
    const key = record.key;
    if (record.value == null) {
      this.context.recordDropped('null-value');
      return;
    }
    if (key == null) {
      // KIP-962: the outer side of a left or outer join forwards a null-key record at once, joined with null (it
      // can never find a partner); an inner side drops it.
      if (side.outer) this.context.forward(record.withValue(this.#join(record.value, null, key as unknown as K)));
      else this.context.recordDropped('null-key');
      return;
    }
    const outerStore = this.#outerStore;
    if (outerStore !== undefined && t === tracker.streamTime) this.#emitNonJoinedOuterRecords(outerStore, record);

    const timeFrom = Math.max(0, t - side.joinBeforeMs);
    const timeTo = Math.max(0, t + side.joinAfterMs);
    let matched = false;
    const iterator = this.#otherStore.fetch(key, timeFrom, timeTo);
    try {
      for (const other of iterator) {
        matched = true;
        // The partner is no longer waiting for a partner of its own.
        outerStore?.delete({ timestamp: other.key, leftSide: !side.leftSide, key });
        this.context.forward(
          record.withValue(this.#join(record.value, other.value, key)).withTimestamp(Math.max(t, other.key)),
        );
      }
    } finally {
      iterator.close();
    }
    if (matched || !side.outer) return;
    if (outerStore === undefined || timeTo + side.graceMs < tracker.streamTime) {
      this.context.forward(record.withValue(this.#join(record.value, null, key)));
      return;
    }
    tracker.minTime = Math.min(tracker.minTime, t);
    const pendingKey: TimestampedKeyAndJoinSide<K> = { timestamp: t, leftSide: side.leftSide, key };
    const pending = outerStore.get(pendingKey);
    outerStore.put(pendingKey, { leftSide: side.leftSide, values: [...(pending?.values ?? []), record.value] });
  }

  #join(thisValue: unknown, otherValue: unknown, key: K): unknown {
    return this.#side.leftSide ? this.#joiner(thisValue, otherValue, key) : this.#joiner(otherValue, thisValue, key);
  }

  #emitNonJoinedOuterRecords(
    store: KeyValueStore<TimestampedKeyAndJoinSide<K>, JoinSideValues>,
    record: Record<K, V>,
  ): void {
    const side = this.#side;
    const tracker = this.#tracker;
    const streamTime = tracker.streamTime;
    const shortestLookBack = Math.min(side.windowsAfterMs, side.windowsBeforeMs);
    // While even the oldest pending record's window is open, nothing can be emitted: skip the scan.
    if (tracker.minTime + shortestLookBack + side.graceMs >= streamTime) return;
    let oldestRemaining = Number.MAX_SAFE_INTEGER;
    const emitted: TimestampedKeyAndJoinSide<K>[] = [];
    const iterator = store.all();
    try {
      for (const { key: pendingKey, value } of iterator) {
        const ts = pendingKey.timestamp;
        // Entries come in time order: once both sides' windows are open, all later ones are open too.
        if (ts + shortestLookBack + side.graceMs >= streamTime) {
          oldestRemaining = Math.min(oldestRemaining, ts);
          break;
        }
        const lookBack = pendingKey.leftSide ? side.windowsAfterMs : side.windowsBeforeMs;
        if (ts + lookBack + side.graceMs >= streamTime) {
          oldestRemaining = Math.min(oldestRemaining, ts);
          continue;
        }
        for (const v of value.values) {
          const joined = pendingKey.leftSide
            ? this.#joiner(v, null, pendingKey.key)
            : this.#joiner(null, v, pendingKey.key);
          this.context.forward(record.withKey(pendingKey.key).withValue(joined).withTimestamp(ts));
        }
        emitted.push(pendingKey);
      }
    } finally {
      iterator.close();
    }
    tracker.minTime = oldestRemaining;
    for (const k of emitted) store.delete(k);
  }
}
