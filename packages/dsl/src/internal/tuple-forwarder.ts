import { Record } from '@kaskade/processor-api';
import type { ProcessorContext, StateStore, ValueAndTimestamp, Windowed } from '@kaskade/processor-api';
import type { Change } from './change.js';
import { change } from './change.js';

type FlushListenerHost = {
  setFlushListener?(
    listener: (key: unknown, newValue: unknown, oldValue: unknown, timestampMs: number) => void,
    sendOldValues: boolean,
  ): boolean;
};

/**
 * Forwards a table processor's updates directly, or — when its store caches — lets the store's cache forward them as
 * it flushes (one update per key and commit, with the value the key had at the previous flush as the old value).
 *
 * @see org.apache.kafka.streams.kstream.internals.TimestampedTupleForwarder
 */
export class TupleForwarder<K, V> {
  readonly #context: ProcessorContext<K, Change<V>>;
  readonly #cached: boolean;

  /**
   * @param kind `timestamped`: values are ValueAndTimestamp (key-value and window stores of the DSL); `session`:
   *   plain aggregates whose timestamp is the session end.
   */
  constructor(store: StateStore, context: ProcessorContext<K, Change<V>>, kind: 'timestamped' | 'session') {
    this.#context = context;
    const host = store as unknown as FlushListenerHost;
    if (typeof host.setFlushListener !== 'function') {
      this.#cached = false;
      return;
    }
    this.#cached =
      kind === 'timestamped'
        ? host.setFlushListener((key, newValue, oldValue, ts) => {
            const n = newValue as ValueAndTimestamp<V> | undefined;
            const o = oldValue as ValueAndTimestamp<V> | undefined;
            context.forward(new Record(key as K, change(n?.value ?? null, o?.value ?? null), n?.timestamp ?? ts));
          }, true)
        : host.setFlushListener((key, newValue, oldValue) => {
            const k = key as Windowed<unknown>;
            context.forward(
              new Record(
                key as K,
                change((newValue as V | undefined) ?? null, (oldValue as V | undefined) ?? null),
                k.window.end,
              ),
            );
          }, true);
  }

  /** True when updates are forwarded by the cache on flush. */
  get cached(): boolean {
    return this.#cached;
  }

  maybeForward(record: Record<K, Change<V>>): void {
    if (!this.#cached) this.#context.forward(record);
  }
}
