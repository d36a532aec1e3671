import type { ProcessorContext, Record, SessionStore, Windowed } from '@kaskade/processor-api';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { EmitFinalSchedule } from './emit-final-schedule.js';

/**
 * `EmitStrategy.onWindowClose()` inside a session-windowed aggregation processor (KIP-825): after each record, when
 * the close time (observed stream time - grace - gap) has moved past the last one emitted up to, it forwards every
 * session of any key that ends in [last close time, close time) — sessions are inclusive, so one ending at the close
 * time is still open — found by end time in the aggregation's own store (see `SessionStore.findSessionsByEnd`), by
 * end, start, then key. A session emitted at its close can still be merged with by a later record (the merged end is
 * not late), and is then emitted again once the merged session closes, as in Kafka Streams. When, and the close time
 * emitted up to: see EmitFinalSchedule.
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamSessionWindowAggregate
 */
export class SessionCloseEmitter<K, VA> {
  readonly #store: SessionStore<K, VA>;
  readonly #context: ProcessorContext<Windowed<K>, Change<VA>>;
  readonly #schedule: EmitFinalSchedule;

  constructor(context: ProcessorContext<Windowed<K>, Change<VA>>, storeName: string, store: SessionStore<K, VA>) {
    this.#context = context;
    this.#store = store;
    this.#schedule = new EmitFinalSchedule(context as ProcessorContext<unknown, unknown>, storeName);
  }

  /** After `record` was processed (aggregated or dropped as late): emits the sessions closed at `closeTime`. */
  maybeEmit(record: Record<K, unknown>, closeTime: number): void {
    if (!this.#schedule.shouldEmit(closeTime)) return;
    const upper = closeTime - 1; // the session ends are inclusive
    if (upper < 0) return; // no session has closed yet
    const lower = Math.max(0, this.#schedule.lastEmitCloseTime ?? 0);
    // A session may be a single point, so lower === upper is a range too.
    if (upper < lower) return;
    const iterator = this.#store.findSessionsByEnd(lower, upper);
    try {
      for (const kv of iterator) {
        this.#context.forward(
          record.withKey<Windowed<K>>(kv.key).withValue(change<VA>(kv.value, null)).withTimestamp(kv.key.window.end),
        );
      }
    } finally {
      iterator.close();
    }
    this.#schedule.emitted(closeTime);
  }
}
