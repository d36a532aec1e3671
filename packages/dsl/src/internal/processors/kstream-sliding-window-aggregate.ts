import type {
  KeyValue,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  ValueAndTimestamp,
  Window,
  Windowed,
  WindowStore,
} from '@kaskade/processor-api';
import type { Aggregator, Initializer } from '../../functions.js';
import type { SlidingWindows } from '../../sliding-windows.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import { TupleForwarder } from '../tuple-forwarder.js';
import { WindowCloseEmitter } from './window-close-emitter.js';

/**
 * Aggregation over sliding windows, Kafka Streams' algorithm (KIP-450): windows of size d = time difference, both
 * ends inclusive, exist only where records are. A record at t has a left window [t - d, t] and, when later records
 * fall within d after it, a right window [t + 1, t + 1 + d]. Processing a record updates every existing window that
 * contains it, and creates its own left window, its right window and the previous record's right window as needed.
 * Window aggregates keep, as their timestamp, the largest record timestamp they contain.
 *
 * A window is closed when its end < observed stream time - grace (ends are inclusive); a record is late when even its
 * right window would be closed (t + 1 + d <= stream time - grace). Late records and updates of closed windows are
 * dropped and counted as `late`. Records before d (t < d) all share the window [0, d], as in Kafka Streams.
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamSlidingWindowAggregate
 */
export class KStreamSlidingWindowAggregate<K, V, VA> implements ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  readonly #storeName: string;
  readonly #windows: SlidingWindows;
  readonly #initializer: Initializer<VA>;
  readonly #aggregator: Aggregator<K, V, VA>;
  readonly #emitOnWindowClose: boolean;

  constructor(
    storeName: string,
    windows: SlidingWindows,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    emitOnWindowClose = false,
  ) {
    this.#storeName = storeName;
    this.#windows = windows;
    this.#initializer = initializer;
    this.#aggregator = aggregator;
    this.#emitOnWindowClose = emitOnWindowClose;
  }

  get(): Processor<K, V, Windowed<K>, Change<VA>> {
    return new SlidingWindowAggregateProcessor(
      this.#storeName,
      this.#windows,
      this.#initializer,
      this.#aggregator,
      this.#emitOnWindowClose,
    );
  }
}

class SlidingWindowAggregateProcessor<K, V, VA> extends ContextualProcessor<K, V, Windowed<K>, Change<VA>> {
  readonly #storeName: string;
  readonly #diff: number;
  readonly #grace: number;
  readonly #initializer: Initializer<VA>;
  readonly #aggregator: Aggregator<K, V, VA>;
  #store!: WindowStore<K, ValueAndTimestamp<VA>>;
  #forwarder!: TupleForwarder<Windowed<K>, VA>;
  #observedStreamTime = -1;
  /** The record being processed, to derive output records from (headers). */
  #record!: Record<K, V>;
  /** The windows of the record being processed, reused from record to record. */
  readonly #windows: KeyValue<number, ValueAndTimestamp<VA>>[] = [];
  readonly #emitOnWindowClose: boolean;
  /** Only with `EmitStrategy.onWindowClose()`: updates are not forwarded, closed windows are. */
  #emitter: WindowCloseEmitter<K, VA> | undefined;

  constructor(
    storeName: string,
    windows: SlidingWindows,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    emitOnWindowClose: boolean,
  ) {
    super();
    this.#emitOnWindowClose = emitOnWindowClose;
    this.#storeName = storeName;
    this.#diff = windows.timeDifferenceMs;
    this.#grace = windows.graceMs;
    this.#initializer = initializer;
    this.#aggregator = aggregator;
  }

  override init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    super.init(context);
    this.#store = context.getStateStore<WindowStore<K, ValueAndTimestamp<VA>>>(this.#storeName);
    this.#forwarder = new TupleForwarder(this.#store, context, 'timestamped');
    if (this.#emitOnWindowClose) {
      // A sliding window is closed once its end (start + time difference, inclusive) is before the close time.
      this.#emitter = new WindowCloseEmitter(context, this.#storeName, this.#store, this.#diff + 1);
    }
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
    const t = record.timestamp;
    this.#observedStreamTime = Math.max(this.#observedStreamTime, t);
    const closeTime = this.#observedStreamTime - this.#grace;
    if (t + 1 + this.#diff <= closeTime) {
      this.context.recordDropped('late');
      return;
    }
    this.#record = record;
    if (t < this.#diff) this.#processEarly(record.key, record.value, t, closeTime);
    else this.#processReverse(record.key, record.value, t, closeTime);
    this.#emitter?.maybeEmit(record, closeTime);
  }

  /**
   * Kafka Streams' processReverse: the windows that can contain t are visited newest first (its stores all iterate
   * backwards), updating each as it is met, and the walk stops at the first window that ends before t. Then the
   * previous record's right window, the record's left window and its right window are created, in that order.
   */
  #processReverse(key: K, value: V, t: number, closeTime: number): void {
    const diff = this.#diff;
    const startTimes = new Set<number>();
    let leftWinAgg: ValueAndTimestamp<VA> | undefined;
    let rightWinAgg: ValueAndTimestamp<VA> | undefined;
    let leftWinAlreadyCreated = false;
    let rightWinAlreadyCreated = false;
    let previousRecordTimestamp: number | undefined;

    // Windows that can contain t, plus the right window of t itself (start t + 1); read forward, walked backward.
    const windows = this.#windows;
    windows.length = 0;
    const iterator = this.#store.fetch(key, Math.max(0, t - 2 * diff), t + 1);
    try {
      for (const entry of iterator) windows.push(entry);
    } finally {
      iterator.close();
    }
    for (let i = windows.length - 1; i >= 0; i--) {
      const { key: start, value: aggAndTs } = windows[i]!;
      startTimes.add(start);
      const end = start + diff;
      if (start === t + 1) {
        rightWinAlreadyCreated = true;
      } else if (end > t) {
        rightWinAgg ??= aggAndTs;
        this.#updateWindowAndForward({ start, end }, aggAndTs, true, key, value, closeTime, t);
      } else if (end === t) {
        leftWinAlreadyCreated = true;
        this.#updateWindowAndForward({ start, end }, aggAndTs, true, key, value, closeTime, t);
        // Another record at t already created every window this one needs.
        if (aggAndTs.timestamp >= t) {
          windows.length = 0;
          return;
        }
        previousRecordTimestamp = aggAndTs.timestamp;
      } else {
        leftWinAgg = aggAndTs;
        previousRecordTimestamp = aggAndTs.timestamp;
        break;
      }
    }
    windows.length = 0;

    // The previous record's right window, if it does not exist yet and t falls into it.
    if (previousRecordTimestamp !== undefined) {
      const previousRightStart = previousRecordTimestamp + 1;
      if (!startTimes.has(previousRightStart) && previousRightStart + diff >= t) {
        this.#updateWindowAndForward(
          { start: previousRightStart, end: previousRightStart + diff },
          { value: this.#initializer(), timestamp: t },
          false,
          key,
          value,
          closeTime,
          t,
        );
      }
    }
    // The record's own left window, holding the records of the last window before it that fall within d.
    if (!leftWinAlreadyCreated) {
      const leftWindowNotEmpty = previousRecordTimestamp !== undefined && t - diff <= previousRecordTimestamp;
      const start: ValueAndTimestamp<VA> =
        leftWindowNotEmpty && leftWinAgg !== undefined
          ? { value: leftWinAgg.value, timestamp: t }
          : { value: this.#initializer(), timestamp: t };
      this.#updateWindowAndForward({ start: t - diff, end: t }, start, false, key, value, closeTime, t);
    }
    // The record's own right window, when later records exist within d.
    if (!rightWinAlreadyCreated && rightWinAgg !== undefined && rightWinAgg.timestamp > t) {
      this.#createCurrentRecordRightWindow(t, rightWinAgg, key);
    }
  }

  /** Records with 0 <= t < d: windows would start before 0, so they all go into [0, d] (Kafka Streams' workaround). */
  #processEarly(key: K, value: V, t: number, closeTime: number): void {
    const diff = this.#diff;
    let combinedWindow: { start: number; agg: ValueAndTimestamp<VA> } | undefined;
    let rightWinAgg: ValueAndTimestamp<VA> | undefined;
    let rightWinAlreadyCreated = false;
    const startTimes = new Set<number>();
    let previousRecordTimestamp: number | undefined;

    const iterator = this.#store.fetch(key, 0, t + 1);
    try {
      for (const { key: start, value: aggAndTs } of iterator) {
        startTimes.add(start);
        const windowMaxRecordTimestamp = aggAndTs.timestamp;
        if (start === 0) {
          combinedWindow = { start, agg: aggAndTs };
          if (windowMaxRecordTimestamp < t) previousRecordTimestamp = windowMaxRecordTimestamp;
        } else if (start <= t) {
          rightWinAgg = aggAndTs;
          this.#updateWindowAndForward({ start, end: start + diff }, aggAndTs, true, key, value, closeTime, t);
        } else if (start === t + 1) {
          rightWinAlreadyCreated = true;
        }
      }
    } finally {
      iterator.close();
    }

    // The combined window holds only records after t when no right window was found (see Kafka Streams' reasoning).
    if (rightWinAgg === undefined && combinedWindow !== undefined && combinedWindow.agg.timestamp > t) {
      rightWinAgg = combinedWindow.agg;
    }
    if (!rightWinAlreadyCreated && rightWinAgg !== undefined && rightWinAgg.timestamp > t) {
      this.#createCurrentRecordRightWindow(t, rightWinAgg, key);
    }
    if (previousRecordTimestamp !== undefined && !startTimes.has(previousRecordTimestamp + 1)) {
      const start = previousRecordTimestamp + 1;
      this.#updateWindowAndForward(
        { start, end: start + diff },
        { value: this.#initializer(), timestamp: t },
        false,
        key,
        value,
        closeTime,
        t,
      );
    }
    if (combinedWindow === undefined) {
      this.#updateWindowAndForward(
        { start: 0, end: diff },
        { value: this.#initializer(), timestamp: t },
        false,
        key,
        value,
        closeTime,
        t,
      );
    } else {
      this.#updateWindowAndForward({ start: 0, end: diff }, combinedWindow.agg, true, key, value, closeTime, t);
    }
  }

  #createCurrentRecordRightWindow(t: number, rightWinAgg: ValueAndTimestamp<VA>, key: K): void {
    const window: Window = { start: t + 1, end: t + 1 + this.#diff };
    this.#store.put(key, rightWinAgg, window.start);
    if (this.#emitter !== undefined) return;
    this.#forwarder.maybeForward(
      this.#record
        .withKey<Windowed<K>>({ key, window })
        .withValue(change<VA>(rightWinAgg.value, null))
        .withTimestamp(rightWinAgg.timestamp),
    );
  }

  #updateWindowAndForward(
    window: Window,
    aggAndTs: ValueAndTimestamp<VA>,
    existing: boolean,
    key: K,
    value: V,
    closeTime: number,
    t: number,
  ): void {
    if (window.end < closeTime) {
      this.context.recordDropped('late');
      return;
    }
    const oldAgg = aggAndTs.value;
    const newAgg = this.#aggregator(key, value, oldAgg);
    const newTimestamp = Math.max(t, aggAndTs.timestamp);
    this.#store.put(key, { value: newAgg, timestamp: newTimestamp }, window.start);
    if (this.#emitter !== undefined) return;
    this.#forwarder.maybeForward(
      this.#record
        .withKey<Windowed<K>>({ key, window })
        .withValue(change(newAgg, existing ? oldAgg : null))
        .withTimestamp(newTimestamp),
    );
  }
}
