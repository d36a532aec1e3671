import type {
  KeyValue,
  ProcessorContext,
  Record,
  ValueAndTimestamp,
  Windowed,
  WindowStore,
} from '@kaskade/processor-api';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { EmitFinalSchedule } from './emit-final-schedule.js';

/**
 * `EmitStrategy.onWindowClose()` inside a time- or sliding-windowed aggregation processor (KIP-825): after each
 * record, when the close time (observed stream time - grace) has moved past the last one emitted up to, it forwards
 * the final aggregate of every window that closed since, range-fetched from the aggregation's own store by window
 * start. When, and the close time emitted up to: see EmitFinalSchedule.
 *
 * @see org.apache.kafka.streams.kstream.internals.AbstractKStreamTimeWindowAggregateProcessor
 */
export class WindowCloseEmitter<K, VA> {
  readonly #store: WindowStore<K, ValueAndTimestamp<VA>>;
  readonly #context: ProcessorContext<Windowed<K>, Change<VA>>;
  readonly #schedule: EmitFinalSchedule;
  /** A window starting at or before `closeTime - #closedAfterStart` is closed. */
  readonly #closedAfterStart: number;

  /**
   * `closedAfterStart`: how long after its start a window is closed at the close time — a time window's size (closed
   * when end <= close time), a sliding window's time difference + 1 (closed when end < close time).
   */
  constructor(
    context: ProcessorContext<Windowed<K>, Change<VA>>,
    storeName: string,
    store: WindowStore<K, ValueAndTimestamp<VA>>,
    closedAfterStart: number,
  ) {
    this.#context = context;
    this.#store = store;
    this.#closedAfterStart = closedAfterStart;
    this.#schedule = new EmitFinalSchedule(context as ProcessorContext<unknown, unknown>, storeName);
  }

  /** After `record` was aggregated: emits the windows closed at `closeTime` that were not emitted yet. */
  maybeEmit(record: Record<K, unknown>, closeTime: number): void {
    if (!this.#schedule.shouldEmit(closeTime)) return;
    const last = this.#schedule.lastEmitCloseTime;
    const upper = closeTime - this.#closedAfterStart;
    if (upper < 0) return; // no window has closed yet
    // Windows starting after the last emitted close time's bound were not closed then (time 0 on the first emit).
    const lower = last === undefined ? 0 : Math.max(0, last - this.#closedAfterStart) + 1;
    if (lower > upper) return; // no window closed since
    const closed: KeyValue<Windowed<K>, ValueAndTimestamp<VA>>[] = [];
    const iterator = this.#store.fetchAll(lower, upper);
    try {
      for (const kv of iterator) closed.push(kv);
    } finally {
      iterator.close();
    }
    // By window start, then key, as from Kafka Streams' time-ordered store (the store gives segment, key, time; the
    // sort is stable, and windows of one start share a segment, so their keys stay in order).
    closed.sort((x, y) => x.key.window.start - y.key.window.start);
    for (const kv of closed) {
      this.#context.forward(
        record
          .withKey<Windowed<K>>(kv.key)
          .withValue(change<VA>(kv.value.value, null))
          .withTimestamp(kv.value.timestamp),
      );
    }
    this.#schedule.emitted(closeTime);
  }
}
