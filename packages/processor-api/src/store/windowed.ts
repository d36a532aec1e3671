/** A time window [start, end) in ms. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/**
 * A key in a window: the key of windowed aggregations and window/session store entries.
 *
 * @see org.apache.kafka.streams.kstream.Windowed
 */
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}
