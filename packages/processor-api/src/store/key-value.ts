/** A key and a value, as returned by store iterators. */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/**
 * An iterator over store entries that holds resources (an LMDB read transaction): close it, or exhaust it.
 * Usable in `for...of`; leaving the loop early closes it.
 *
 * @see org.apache.kafka.streams.state.KeyValueIterator
 */
export interface KeyValueIterator<K, V> extends IterableIterator<KeyValue<K, V>> {
  /** The key of the next entry without advancing, or undefined at the end. */
  peekNextKey(): K | undefined;
  close(): void;
}
