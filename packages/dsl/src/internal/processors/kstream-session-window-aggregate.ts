import type {
  KeyValue,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  SessionStore,
  Window,
  Windowed,
} from '@kaskade/processor-api';
import type { Aggregator, Initializer, Merger } from '../../functions.js';
import type { SessionWindows } from '../../session-windows.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import { TupleForwarder } from '../tuple-forwarder.js';
import { SessionCloseEmitter } from './session-close-emitter.js';

/**
 * Aggregation over session windows. A record at t finds the key's sessions that end at or after t - gap and start at
 * or before t + gap; it merges them (and itself) into one session. Each merged-away session is removed and retracted
 * downstream (an update with a null new value), then the merged session is stored and forwarded. Updates carry the
 * session end as their timestamp.
 *
 * The merged session is late when its end < observed stream time - grace - gap (session ends are inclusive, and a
 * later record may still extend a session by one gap); the record is then dropped and counted as `late`.
 * With `emitOnWindowClose`, updates are not forwarded: each session's final aggregate is, once it closes (see
 * SessionCloseEmitter).
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamSessionWindowAggregate
 */
export class KStreamSessionWindowAggregate<K, V, VA> implements ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  readonly #storeName: string;
  readonly #windows: SessionWindows;
  readonly #initializer: Initializer<VA>;
  readonly #aggregator: Aggregator<K, V, VA>;
  readonly #merger: Merger<K, VA>;
  readonly #emitOnWindowClose: boolean;

  constructor(
    storeName: string,
    windows: SessionWindows,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    emitOnWindowClose = false,
  ) {
    this.#storeName = storeName;
    this.#windows = windows;
    this.#initializer = initializer;
    this.#aggregator = aggregator;
    this.#merger = merger;
    this.#emitOnWindowClose = emitOnWindowClose;
  }

  get(): Processor<K, V, Windowed<K>, Change<VA>> {
    return new KStreamSessionWindowAggregateProcessor(
      this.#storeName,
      this.#windows,
      this.#initializer,
      this.#aggregator,
      this.#merger,
      this.#emitOnWindowClose,
    );
  }
}

class KStreamSessionWindowAggregateProcessor<K, V, VA> extends ContextualProcessor<K, V, Windowed<K>, Change<VA>> {
  readonly #storeName: string;
  readonly #windows: SessionWindows;
  readonly #initializer: Initializer<VA>;
  readonly #aggregator: Aggregator<K, V, VA>;
  readonly #merger: Merger<K, VA>;
  #store!: SessionStore<K, VA>;
  /** Forwards updates; undefined with `EmitStrategy.onWindowClose()`, where the emitter forwards final results. */
  #forwarder: TupleForwarder<Windowed<K>, VA> | undefined;
  #emitter: SessionCloseEmitter<K, VA> | undefined;
  readonly #emitOnWindowClose: boolean;
  #observedStreamTime = -1;

  constructor(
    storeName: string,
    windows: SessionWindows,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    emitOnWindowClose: boolean,
  ) {
    super();
    this.#storeName = storeName;
    this.#windows = windows;
    this.#initializer = initializer;
    this.#aggregator = aggregator;
    this.#merger = merger;
    this.#emitOnWindowClose = emitOnWindowClose;
  }

  override init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    super.init(context);
    this.#store = context.getStateStore<SessionStore<K, VA>>(this.#storeName);
    if (this.#emitOnWindowClose) this.#emitter = new SessionCloseEmitter(context, this.#storeName, this.#store);
    else this.#forwarder = new TupleForwarder(this.#store, context, 'session');
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    if (key == null) {
      this.context.recordDropped('null-key');
      return;
    }
    if (record.value == null) {
      this.context.recordDropped('null-value');
      return;
    }
    const timestamp = record.timestamp;
    this.#observedStreamTime = Math.max(this.#observedStreamTime, timestamp);
    const gap = this.#windows.inactivityGapMs;
    // Late only when the session ends more than grace + gap before stream time: until then a later record may still
    // extend (or merge into) it, as in Kafka Streams.
    const closeTime = this.#observedStreamTime - this.#windows.graceMs - gap;

    const merged: KeyValue<Windowed<K>, VA>[] = [];
    let window: Window = { start: timestamp, end: timestamp };
    let agg = this.#initializer();
    const sessions = this.#store.findSessions(key, Math.max(0, timestamp - gap), timestamp + gap);
    try {
      for (const session of sessions) {
        merged.push(session);
        agg = this.#merger(key, agg, session.value);
        window = {
          start: Math.min(window.start, session.key.window.start),
          end: Math.max(window.end, session.key.window.end),
        };
      }
    } finally {
      sessions.close();
    }

    if (window.end < closeTime) {
      this.context.recordDropped('late');
    } else {
      this.#update(record, window, agg, merged);
    }
    this.#emitter?.maybeEmit(record, closeTime);
  }

  /** Stores the merged session (`merged`: the merged sessions' aggregate) and forwards the changes. */
  #update(record: Record<K, V>, window: Window, merged: VA, sessions: readonly KeyValue<Windowed<K>, VA>[]): void {
    const key = record.key;
    // A session whose window is the merged window is updated in place rather than retracted and re-added (Kafka
    // Streams forwards a tombstone for it first): downstream then sees one update carrying the old value, not a
    // tombstone and an insert for the same windowed key. Sessions merged away are retracted with a tombstone.
    let replaced: VA | null = null;
    for (const session of sessions) {
      const w = session.key.window;
      if (w.start === window.start && w.end === window.end) {
        replaced = session.value;
        continue;
      }
      this.#store.remove(session.key);
      this.#forwarder?.maybeForward(
        record.withKey(session.key).withValue(change<VA>(null, session.value)).withTimestamp(w.end),
      );
    }
    const agg = this.#aggregator(key, record.value, merged);
    const sessionKey: Windowed<K> = { key, window };
    this.#store.put(sessionKey, agg);
    this.#forwarder?.maybeForward(
      record.withKey(sessionKey).withValue(change(agg, replaced)).withTimestamp(window.end),
    );
  }
}
