/**
 * A table every instance holds in full: filled from all partitions of its topic before processing starts and kept
 * up to date while the application runs (`StreamsBuilder.globalTable`). Streams join it by a key they compute
 * (`KStream.join(globalTable, keySelector, joiner)`), so they need not be co-partitioned with its topic.
 *
 * @see org.apache.kafka.streams.kstream.GlobalKTable
 */
export interface GlobalKTable<K, V> {
  /** The store's name when it is queryable (named with `Materialized.as`), else undefined. */
  queryableStoreName(): string | undefined;
  /** @internal Phantom members: keep K and V in the type. */
  readonly __types?: { key: K; value: V };
}
