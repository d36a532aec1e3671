import type { Serde } from '@kaskade/processor-api';

/**
 * Options of `KStream.deduplicate`.
 *
 * ```ts
 * orders.deduplicate((_key, order) => order.orderId, { retentionMs: 10 * 60_000, idSerde: Serdes.String() });
 * ```
 */
export interface DeduplicateOptions<ID> {
  /**
   * How far apart in event time (ms) two records with the same id may be for the later one to count as a duplicate;
   * also the retention of the window store that remembers the ids, so memory and disk stay bounded. An integer >= 1.
   */
  readonly retentionMs: number;
  /**
   * Names the processor; the store is then `<name>-store` (changelog `<applicationId>-<name>-store-changelog`).
   * Without it both are generated (`KSTREAM-DEDUPLICATE-…`); name it to keep the state across topology changes.
   */
  readonly name?: string;
  /**
   * How ids are written to the store. Default: the stream's key serde when deduplicating by key, the application's
   * default key serde for an id selector; a string for `'sourceOffset'` (not settable there).
   */
  readonly idSerde?: Serde<ID>;
  /** `'in-memory'` keeps the ids in memory (restored from the changelog on start); default LMDB. */
  readonly storeType?: 'persistent' | 'in-memory';
}

/**
 * What identifies a record for `KStream.deduplicate`: a function of key and value, or `'sourceOffset'` — the topic,
 * partition and offset the record was read from, so that re-delivery of the same source record (a trigger replayed
 * after a failure) acts once.
 */
export type DeduplicationId<K, V, ID> = ((key: K, value: V) => ID) | 'sourceOffset';
