import type { StateStore } from './state-store.js';

/**
 * One version of a key's value in a versioned store: the value, the timestamp from which it is valid, and the
 * timestamp of the next version (undefined for the latest).
 *
 * @see org.apache.kafka.streams.state.VersionedRecord
 */
export interface VersionedRecord<V> {
  readonly value: V;
  readonly timestamp: number;
  readonly validTo?: number;
}

/**
 * A key-value store that keeps each key's history for a retention period (KIP-889): a value is put with the timestamp
 * from which it is valid, and read as of a timestamp. Writes may come out of order; a write older than observed stream
 * time − history retention is not applied.
 *
 * @see org.apache.kafka.streams.state.VersionedKeyValueStore
 */
export interface VersionedKeyValueStore<K, V> extends StateStore {
  /**
   * Puts `value` (null: a tombstone) valid from `timestamp`. Returns the validTo of the new version: the timestamp of
   * the next newer version, {@link VERSIONED_PUT_VALID_TO_UNDEFINED} when it is the latest, or
   * {@link VERSIONED_PUT_NOT_PUT} when it is older than the history retention and was not applied.
   */
  put(key: K, value: V | null, timestamp: number): number;
  /** Puts a tombstone at `timestamp`; returns the record that was valid at that timestamp before, if any. */
  delete(key: K, timestamp: number): VersionedRecord<V> | undefined;
  /** The latest version (undefined when none or a tombstone). */
  get(key: K): VersionedRecord<V> | undefined;
  /**
   * The version valid at `asOfTimestamp` (undefined when none, a tombstone, or `asOfTimestamp` is older than observed
   * stream time − history retention).
   */
  get(key: K, asOfTimestamp: number): VersionedRecord<V> | undefined;
  /** The history retention in ms. */
  readonly historyRetentionMs: number;
}

/** {@link VersionedKeyValueStore.put}'s answer when the new version is the latest. */
export const VERSIONED_PUT_VALID_TO_UNDEFINED = -1;
/** {@link VersionedKeyValueStore.put}'s answer when the write was older than the history retention. */
export const VERSIONED_PUT_NOT_PUT = Number.MIN_SAFE_INTEGER;
