/**
 * What a KTable processor forwards: the key's new value and the value it replaces (null when absent). Table
 * aggregations subtract `oldValue` and add `newValue`; a tombstone has `newValue` null.
 *
 * @see org.apache.kafka.streams.kstream.internals.Change
 */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

export function change<V>(newValue: V | null, oldValue: V | null): Change<V> {
  return { newValue, oldValue };
}
