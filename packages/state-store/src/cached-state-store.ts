/**
 * Receives each dirty entry of a caching store when the cache flushes or evicts it: the DSL forwards these as the
 * de-duplicated updates of a cached KTable, instead of one update per input record. `newValue` undefined is a delete;
 * `oldValue` is the value the store held before the flushed write (undefined when absent or not requested).
 *
 * @see org.apache.kafka.streams.state.internals.CacheFlushListener
 */
export type CacheFlushListener<K, V> = (
  key: K,
  newValue: V | undefined,
  oldValue: V | undefined,
  timestampMs: number,
) => void;

/**
 * A store that may have a record cache in front (every store of this package).
 *
 * @see org.apache.kafka.streams.state.internals.CachedStateStore
 */
export interface CachedStateStore<K, V> {
  /**
   * Registers the listener called for every flushed or evicted dirty cache entry, synchronously, during
   * `TaskStateManager.flushCaches()` or during a write that evicts. Returns true when caching is enabled for this store
   * (the listener will be called), false when it is not (the caller should forward updates itself).
   */
  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): boolean;
}
