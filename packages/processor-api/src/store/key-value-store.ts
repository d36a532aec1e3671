import type { KeyValue, KeyValueIterator } from './key-value.js';
import type { StateStore } from './state-store.js';

/**
 * Read access to a key-value store. Range and prefix scans follow the byte order of the serialized keys.
 *
 * @see org.apache.kafka.streams.state.ReadOnlyKeyValueStore
 */
export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | undefined;
  /** Entries with from <= key <= to (both inclusive; an omitted bound is open), in key byte order. */
  range(from?: K, to?: K): KeyValueIterator<K, V>;
  /** Entries in descending key byte order. */
  reverseRange(from?: K, to?: K): KeyValueIterator<K, V>;
  all(): KeyValueIterator<K, V>;
  reverseAll(): KeyValueIterator<K, V>;
  /** Entries whose serialized key starts with the serialized prefix. */
  prefixScan<P>(prefix: P, prefixSerializer: (prefix: P) => Buffer): KeyValueIterator<K, V>;
  approximateNumEntries(): number;
}

/**
 * A key-value store. Writing `null` is not allowed; use `delete`.
 *
 * @see org.apache.kafka.streams.state.KeyValueStore
 */
export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  put(key: K, value: V): void;
  /** Writes only when the key is absent; returns the existing value or undefined. */
  putIfAbsent(key: K, value: V): V | undefined;
  putAll(entries: readonly KeyValue<K, V>[]): void;
  /** Deletes the key and returns the old value (or undefined). */
  delete(key: K): V | undefined;
}

/** A value with the timestamp of the record that last wrote it. */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/** @see org.apache.kafka.streams.state.TimestampedKeyValueStore */
export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>;
