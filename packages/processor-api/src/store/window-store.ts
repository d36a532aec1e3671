import type { KeyValueIterator } from './key-value.js';
import type { StateStore } from './state-store.js';
import type { Windowed } from './windowed.js';

/** Iterates `{ key: windowStartMs, value }` for one key, in time order. */
export type WindowStoreIterator<V> = KeyValueIterator<number, V>;

/**
 * Read access to a window store: values per key and window start time, with Kafka Streams' method names and
 * overloads (`fetch(key, time)`, `fetch(key, timeFrom, timeTo)`, `fetch(keyFrom, keyTo, timeFrom, timeTo)`, and their
 * `backward...` forms, newest first). Interactive queries (`KafkaStreams.store`) return this read-only view.
 *
 * @see org.apache.kafka.streams.state.ReadOnlyWindowStore
 */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of this key in the window starting at `windowStartMs`. */
  fetch(key: K, windowStartMs: number): V | undefined;
  /** Windows of this key with timeFrom <= start <= timeTo, oldest first; the iterator's keys are window starts. */
  fetch(key: K, timeFromMs: number, timeToMs: number): WindowStoreIterator<V>;
  /**
   * Windows of the keys in [keyFrom, keyTo] (in the key serde's byte order; `undefined`: unbounded) with
   * timeFrom <= start <= timeTo, in the store's order: by segment (a span of time), then by key, then by time.
   */
  fetch(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFromMs: number,
    timeToMs: number,
  ): KeyValueIterator<Windowed<K>, V>;
  /** Windows of this key with timeFrom <= start <= timeTo, newest first. */
  backwardFetch(key: K, timeFromMs: number, timeToMs: number): WindowStoreIterator<V>;
  /** The windows `fetch(keyFrom, keyTo, timeFrom, timeTo)` returns, in reverse order. */
  backwardFetch(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFromMs: number,
    timeToMs: number,
  ): KeyValueIterator<Windowed<K>, V>;
  /** All windows with timeFrom <= start <= timeTo, in the store's order (by segment, key, time). */
  fetchAll(timeFromMs: number, timeToMs: number): KeyValueIterator<Windowed<K>, V>;
  /** The windows `fetchAll(timeFrom, timeTo)` returns, in reverse order. */
  backwardFetchAll(timeFromMs: number, timeToMs: number): KeyValueIterator<Windowed<K>, V>;
  /** Every window of the store, in the store's order (by segment, key, time). */
  all(): KeyValueIterator<Windowed<K>, V>;
  /** Every window of the store, in reverse order. */
  backwardAll(): KeyValueIterator<Windowed<K>, V>;
}

/**
 * A window store. Segments older than the retention period are dropped as stream time advances; writes into an
 * expired window are ignored.
 *
 * @see org.apache.kafka.streams.state.WindowStore
 */
export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /**
   * Writes the value of the window of `key` starting at `windowStartMs`; `null` deletes it. With
   * retain-duplicates (for joins) every put adds an entry.
   */
  put(key: K, value: V | null, windowStartMs: number): void;
}
