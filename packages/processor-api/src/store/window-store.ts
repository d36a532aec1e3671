import type { KeyValueIterator } from './key-value.js';
import type { StateStore } from './state-store.js';
import type { Windowed } from './windowed.js';

/** Iterates `{ key: windowStartMs, value }` for one key, in time order. */
export type WindowStoreIterator<V> = KeyValueIterator<number, V>;

/**
 * Read access to a window store: values per key and window start time.
 *
 * @see org.apache.kafka.streams.state.ReadOnlyWindowStore
 */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of this key in the window starting at `windowStartMs`. */
  fetch(key: K, windowStartMs: number): V | undefined;
  /** Windows of this key with timeFrom <= start <= timeTo, in time order. */
  fetchRange(key: K, timeFromMs: number, timeToMs: number): WindowStoreIterator<V>;
  /** Windows of keys in [keyFrom, keyTo] with timeFrom <= start <= timeTo. */
  fetchKeyRange(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    timeFromMs: number,
    timeToMs: number,
  ): KeyValueIterator<Windowed<K>, V>;
  /** All windows with timeFrom <= start <= timeTo. */
  fetchAll(timeFromMs: number, timeToMs: number): KeyValueIterator<Windowed<K>, V>;
  all(): KeyValueIterator<Windowed<K>, V>;
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
