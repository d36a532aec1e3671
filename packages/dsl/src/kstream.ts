import type {
  AsyncProcessingOptions,
  FixedKeyProcessorSupplier,
  FixedKeyProcessor,
  KeyValue,
  ProcessorSupplierLike,
} from '@kaskade/processor-api';
import type { TopicNameExtractor } from '@kaskade/core';
import type { AsyncPredicate, AsyncValueMapper } from './async-functions.js';
import type { BranchedKStream } from './branched-kstream.js';
import type { ClaimCheckOptions, ResolveClaimCheckOptions } from './claim-check-options.js';
import type { DeduplicateOptions } from './deduplicate-options.js';
import type { ForeachAction, KeyValueMapper, Predicate, ValueJoiner, ValueMapper } from './functions.js';
import type { Grouped } from './grouped.js';
import type { JoinWindows } from './join-windows.js';
import type { GlobalKTable } from './global-ktable.js';
import type { Joined } from './joined.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';
import type { Produced } from './produced.js';
import type { Repartitioned } from './repartitioned.js';
import type { StreamJoined } from './stream-joined.js';

/**
 * A record stream: every record is an independent fact. Handles are immutable: each operation adds a processor to
 * the builder's graph and returns a new handle; the same stream may feed several operations.
 *
 * Key-changing operations (`map`, `selectKey`, `flatMap`, `process`) mark the stream for repartitioning: the next
 * stateful operation (aggregation, join, `toTable`) first writes it through an internal topic
 * `<applicationId>-<name>-repartition`, so that records with the same key meet in the same task.
 *
 * ```ts
 * builder.stream('orders', Consumed.with(Serdes.String(), Serdes.Json<Order>()))
 *   .filter((_id, order) => order.total > 0)
 *   .mapValues((order) => order.total)
 *   .to('order-totals', Produced.with(Serdes.String(), Serdes.Float64()));
 * ```
 * @see org.apache.kafka.streams.kstream.KStream
 */
export interface KStream<K, V> {
  /** Keeps the records for which `predicate` is true. */
  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V>;
  /**
   * Keeps the records for which the asynchronous `predicate` resolves to true. Same key, one call at a time per key,
   * up to `options.concurrency` calls per task; see `asyncProcessor` in `@kaskade/core` for the guarantees.
   */
  filterAsync(predicate: AsyncPredicate<K, V>, options?: AsyncProcessingOptions, named?: Named): KStream<K, V>;
  /** Keeps the records for which `predicate` is false. */
  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V>;
  /** A new key and value per record (marks the stream for repartitioning). */
  map<KR, VR>(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>, named?: Named): KStream<KR, VR>;
  /** A new value per record; the key stays, so no repartitioning. */
  mapValues<VR>(mapper: ValueMapper<V, VR, K>, named?: Named): KStream<K, VR>;
  /**
   * A new value per record from an asynchronous call (a lookup, an HTTP request). Results leave in per-key input order;
   * different keys run concurrently up to `options.concurrency` per task; failures after `options.retries` go to the
   * processing exception handler.
   *
   * ```ts
   * orders.mapValuesAsync(async (order, _id, { signal }) => ({ ...order, customer: await lookup(order, signal) }), {
   *   concurrency: 100,
   *   timeoutMs: 2_000,
   *   retries: 3,
   * });
   * ```
   */
  mapValuesAsync<VR>(
    mapper: AsyncValueMapper<V, VR, K>,
    options?: AsyncProcessingOptions,
    named?: Named,
  ): KStream<K, VR>;
  /**
   * The claim check's writing side: serializes each value and, when it is longer than `thresholdBytes`, uploads it to
   * `store` (asynchronously, see {@link mapValuesAsync}) and passes on its name instead, with the header
   * `kaskade.claim-check`. Returns the bytes (value serde `Serdes.Bytes()`), to be written to `options.topic` with
   * `to`. Blobs are named after their content, so a retried upload under exactly-once writes the same blob. With
   * `retentionMs` (the topic's `retention.ms`), blobs older than that are swept.
   *
   * ```ts
   * docs.claimCheck({ store, topic: 'docs', thresholdBytes: 512 * 1024, valueSerde, retentionMs: 7 * 86_400_000 })
   *   .to('docs', Produced.with(Serdes.String(), Serdes.Bytes()));
   * ```
   */
  claimCheck(options: ClaimCheckOptions<V>): KStream<K, Buffer>;
  /**
   * The claim check's reading side, on a stream of bytes (`Consumed.with(keySerde, Serdes.Bytes())`): downloads the
   * values of claim-checked records from `store`, deserializes every value with `valueSerde` and drops the header.
   */
  resolveClaimCheck<VR>(this: KStream<K, Buffer>, options: ResolveClaimCheckOptions<VR>): KStream<K, VR>;
  /** Zero or more records per record (marks the stream for repartitioning). */
  flatMap<KR, VR>(mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>, named?: Named): KStream<KR, VR>;
  /** Zero or more values per record, same key. */
  flatMapValues<VR>(mapper: ValueMapper<V, Iterable<VR>, K>, named?: Named): KStream<K, VR>;
  /** Zero or more values per record from an asynchronous call, same key; see {@link mapValuesAsync}. */
  flatMapValuesAsync<VR>(
    mapper: AsyncValueMapper<V, Iterable<VR>, K>,
    options?: AsyncProcessingOptions,
    named?: Named,
  ): KStream<K, VR>;
  /** A new key per record (marks the stream for repartitioning). */
  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStream<KR, V>;
  /** Calls `action` for each record and passes the record on. */
  peek(action: ForeachAction<K, V>, named?: Named): KStream<K, V>;
  /** Calls `action` for each record (terminal). */
  foreach(action: ForeachAction<K, V>, named?: Named): void;
  /** Splits the stream into branches by predicates; see {@link BranchedKStream}. */
  split(named?: Named): BranchedKStream<K, V>;
  /** The records of both streams, interleaved as they arrive. */
  merge(other: KStream<K, V>, named?: Named): KStream<K, V>;
  /**
   * Drops records whose id (default: the key) was already seen within `retentionMs` of event time, and counts them as
   * dropped (reason `duplicate`). The ids live in a window store with that retention (changelogged), so memory and
   * disk stay bounded; under `exactly_once_v2` the ids commit together with the output, so each id is forwarded once.
   * Copies of a record must reach the same task: by key, the stream is repartitioned first when its key was changed;
   * with an id selector, keep copies in one partition (e.g. `selectKey` the id and deduplicate by key).
   * `'sourceOffset'` uses the record's source topic/partition/offset as id, for trigger-style steps that must not act
   * twice on a re-delivered record. Records without an id (null) are forwarded.
   *
   * ```ts
   * orders.deduplicate({ retentionMs: 10 * 60_000, name: 'order-ids' });
   * orders.deduplicate((_k, o) => o.orderId, { retentionMs: 60_000, idSerde: Serdes.String() });
   * ```
   */
  deduplicate(options: DeduplicateOptions<K>): KStream<K, V>;
  deduplicate<ID>(idSelector: KeyValueMapper<K, V, ID>, options: DeduplicateOptions<ID>): KStream<K, V>;
  deduplicate(id: 'sourceOffset', options: Omit<DeduplicateOptions<string>, 'idSerde'>): KStream<K, V>;
  /** Writes the stream to a topic, or to the topic an extractor picks per record (terminal). */
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void;
  /** Writes the stream through an internal topic `<applicationId>-<name>-repartition` and reads it back. */
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V>;
  /** The stream as a changelog: the latest value per key (null values delete), in a store. */
  toTable(named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V>;
  /**
   * Runs a Processor API processor on the stream (marks it for repartitioning: the processor may change keys).
   * `storeNames` are stores added with `StreamsBuilder.addStateStore` (or a table's store) the processor uses.
   */
  process<KR, VR>(supplier: ProcessorSupplierLike<K, V, KR, VR>, ...storeNames: string[]): KStream<KR, VR>;
  process<KR, VR>(
    supplier: ProcessorSupplierLike<K, V, KR, VR>,
    named: Named,
    ...storeNames: string[]
  ): KStream<KR, VR>;
  /** Runs a processor that cannot change keys (no repartitioning). */
  processValues<VR>(
    supplier: FixedKeyProcessorSupplier<K, V, VR> | (() => FixedKeyProcessor<K, V, VR>),
    ...storeNames: string[]
  ): KStream<K, VR>;
  processValues<VR>(
    supplier: FixedKeyProcessorSupplier<K, V, VR> | (() => FixedKeyProcessor<K, V, VR>),
    named: Named,
    ...storeNames: string[]
  ): KStream<K, VR>;
  /** Groups by the current key, for an aggregation. */
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V>;
  /** Groups by a new key (the aggregation reads a repartition topic). */
  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, grouped?: Grouped<KR, V>): KGroupedStream<KR, V>;

  /** Windowed inner join with another stream: records with the same key within the join window. */
  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO, VR, K>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  /** Inner join with a table: each record joins the table's current value for its key. */
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR, K>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  /**
   * Inner join with a global table: each record joins the table's current value for the key `keySelector` computes
   * (no co-partitioning needed); records whose selected key is null or has no value are dropped.
   */
  join<GK, GV, VR>(
    globalTable: GlobalKTable<GK, GV>,
    keySelector: KeyValueMapper<K, V, GK | null>,
    joiner: ValueJoiner<V, GV, VR, K>,
    named?: Named,
  ): KStream<K, VR>;
  /** Windowed left join: every record of this stream produces a result, with null when no partner arrived in time. */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  /** Left join with a table: every record produces a result, with null when the table has no value. */
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: ValueJoiner<V, VT | null, VR, K>,
    joined?: Joined<K, V, VT>,
  ): KStream<K, VR>;
  /** Left join with a global table: every record (with a value) produces a result, with null when none matches. */
  leftJoin<GK, GV, VR>(
    globalTable: GlobalKTable<GK, GV>,
    keySelector: KeyValueMapper<K, V, GK | null>,
    joiner: ValueJoiner<V, GV | null, VR, K>,
    named?: Named,
  ): KStream<K, VR>;
  /** Windowed outer join: records of both streams produce results, with null for a side without a partner. */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
}
