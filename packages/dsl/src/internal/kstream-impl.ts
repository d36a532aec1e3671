import { TopologyError } from '@kaskade/processor-api';
import type {
  FixedKeyProcessor,
  Serde,
  FixedKeyProcessorSupplier,
  KeyValue,
  ProcessorSupplier,
  ProcessorSupplierLike,
} from '@kaskade/processor-api';
import type { StreamPartitioner, TopicNameExtractor } from '@kaskade/core';
import type { BranchedKStream } from '../branched-kstream.js';
import type { DeduplicateOptions, DeduplicationId } from '../deduplicate-options.js';
import type { ForeachAction, KeyValueMapper, Predicate, ValueJoiner, ValueMapper } from '../functions.js';
import type { Grouped } from '../grouped.js';
import { JoinWindows } from '../join-windows.js';
import type { Joined } from '../joined.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KStream } from '../kstream.js';
import type { KTable } from '../ktable.js';
import { Materialized } from '../materialized.js';
import { Named } from '../named.js';
import type { Produced } from '../produced.js';
import type { Repartitioned } from '../repartitioned.js';
import type { StreamJoined } from '../stream-joined.js';
import { erased, nameOrGenerate } from './args.js';
import { BranchedKStreamImpl } from './branched-kstream-impl.js';
import { deduplicateStream } from './deduplicate-stream.js';
import { KGroupedStreamImpl } from './kgrouped-stream-impl.js';
import { KStreamAsyncOperations } from './kstream-async-operations.js';
import { KTableImpl } from './ktable-impl.js';
import { KStreamFilter } from './processors/kstream-filter.js';
import { KStreamFlatMap } from './processors/kstream-flat-map.js';
import { KStreamFlatMapValues } from './processors/kstream-flat-map-values.js';
import { KStreamForeach } from './processors/kstream-foreach.js';
import { streamTableJoin } from './stream-table-join.js';
import { KStreamMap } from './processors/kstream-map.js';
import { KStreamMapValues } from './processors/kstream-map-values.js';
import { KStreamPassThrough } from './processors/kstream-pass-through.js';
import { KStreamPeek } from './processors/kstream-peek.js';
import { KStreamSelectKey } from './processors/kstream-select-key.js';
import type { InternalJoiner } from './internal-joiner.js';
import { KTableSource } from './processors/ktable-source.js';
import { SourceTableMaterialization } from './source-table-materialization.js';
import { addTimestampedKeyValueStore } from './store-factory.js';
import type { StreamProps } from './stream-props.js';
import { addStreamSink } from './kstream-sink.js';
import { joinStreams } from './stream-stream-join.js';
import { GlobalKTableImpl } from './global-ktable-impl.js';
import { joinGlobalTable } from './global-table-join.js';
import type { GlobalKTable } from '../global-ktable.js';
import { toSupplier } from './to-supplier.js';

/**
 * The KStream handle: immutable, holding where it attaches in the graph and what it knows about its records.
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamImpl
 */
export class KStreamImpl<K, V> extends KStreamAsyncOperations<K, V> implements KStream<K, V> {
  readonly #props: StreamProps<K, V>;

  constructor(props: StreamProps<K, V>) {
    super();
    this.#props = Object.freeze({ ...props });
  }

  internalProps(): StreamProps<K, V> {
    return this.#props;
  }

  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.#stateless(named, 'KSTREAM-FILTER-', new KStreamFilter(predicate, false), {});
  }

  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.#stateless(named, 'KSTREAM-FILTER-', new KStreamFilter(predicate, true), {});
  }

  map<KR, VR>(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>, named?: Named): KStream<KR, VR> {
    return this.#stateless(named, 'KSTREAM-MAP-', new KStreamMap(mapper), {
      keySerde: undefined,
      valueSerde: undefined,
      repartitionRequired: true,
    });
  }

  mapValues<VR>(mapper: ValueMapper<V, VR, K>, named?: Named): KStream<K, VR> {
    return this.#stateless(named, 'KSTREAM-MAPVALUES-', new KStreamMapValues(mapper), { valueSerde: undefined });
  }

  flatMap<KR, VR>(mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>, named?: Named): KStream<KR, VR> {
    return this.#stateless(named, 'KSTREAM-FLATMAP-', new KStreamFlatMap(mapper), {
      keySerde: undefined,
      valueSerde: undefined,
      repartitionRequired: true,
    });
  }

  flatMapValues<VR>(mapper: ValueMapper<V, Iterable<VR>, K>, named?: Named): KStream<K, VR> {
    return this.#stateless(named, 'KSTREAM-FLATMAPVALUES-', new KStreamFlatMapValues(mapper), {
      valueSerde: undefined,
    });
  }

  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStream<KR, V> {
    return this.#stateless(named, 'KSTREAM-KEY-SELECT-', new KStreamSelectKey(mapper), {
      keySerde: undefined,
      repartitionRequired: true,
    });
  }

  peek(action: ForeachAction<K, V>, named?: Named): KStream<K, V> {
    return this.#stateless(named, 'KSTREAM-PEEK-', new KStreamPeek(action), {});
  }

  foreach(action: ForeachAction<K, V>, named?: Named): void {
    const { builder, name } = this.#props;
    builder.addProcessor(nameOrGenerate(builder, named, 'KSTREAM-FOREACH-'), new KStreamForeach(action), [name]);
  }

  split(named?: Named): BranchedKStream<K, V> {
    const { builder } = this.#props;
    return BranchedKStreamImpl.create(this.#props, nameOrGenerate(builder, named, 'KSTREAM-BRANCH-'));
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const o = asStreamImpl(other, 'merge').internalProps();
    const p = this.#props;
    if (o.builder !== p.builder) throw new TopologyError('merge: both streams must come from the same StreamsBuilder');
    const name = nameOrGenerate(p.builder, named, 'KSTREAM-MERGE-');
    p.builder.addProcessor(name, new KStreamPassThrough<K, V>(), [p.name, o.name]);
    return new KStreamImpl<K, V>({
      builder: p.builder,
      name,
      keySerde: p.keySerde === o.keySerde ? p.keySerde : undefined,
      valueSerde: p.valueSerde === o.valueSerde ? p.valueSerde : undefined,
      repartitionRequired: p.repartitionRequired || o.repartitionRequired,
    });
  }

  deduplicate<ID>(
    id: DeduplicationId<K, V, ID> | DeduplicateOptions<ID>,
    options?: DeduplicateOptions<ID>,
  ): KStream<K, V> {
    return deduplicateStream(this, id, options);
  }

  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void {
    addStreamSink(this.#props, topic, produced);
  }

  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    const p = this.#props;
    const name = repartitioned?.name ?? p.builder.newProcessorName('KSTREAM-REPARTITION-');
    const keySerde = repartitioned?.keySerde ?? p.keySerde;
    const valueSerde = repartitioned?.valueSerde ?? p.valueSerde;
    const sourceName = p.builder.repartition({
      parentName: p.name,
      topicName: name,
      keySerde: keySerde,
      valueSerde: valueSerde,
      partitioner: repartitioned?.partitioner as StreamPartitioner<unknown, unknown> | undefined,
      partitions: repartitioned?.numberOfPartitions,
    });
    return new KStreamImpl<K, V>({
      builder: p.builder,
      name: sourceName,
      keySerde,
      valueSerde,
      repartitionRequired: false,
    });
  }

  toTable(first?: Named | Materialized<K, V>, second?: Materialized<K, V>): KTable<K, V> {
    const p = this.#props;
    const named = first instanceof Named ? first : undefined;
    const materialized = first instanceof Materialized ? first : second;
    const name = nameOrGenerate(p.builder, named, 'KSTREAM-TOTABLE-');
    const storeName = materialized?.storeName ?? p.builder.newStoreName('KSTREAM-TOTABLE-');
    const keySerde = materialized?.keySerde ?? p.keySerde;
    const valueSerde = materialized?.valueSerde ?? p.valueSerde;
    const parent = this.#repartitionedParent(name, keySerde, valueSerde);
    addTimestampedKeyValueStore(
      p.builder,
      storeName,
      erased(materialized),
      keySerde ?? p.builder.defaultSerde('key'),
      valueSerde ?? p.builder.defaultSerde('value'),
    );
    const materialization = new SourceTableMaterialization(storeName, materialized?.storeName !== undefined);
    p.builder.addProcessor(name, new KTableSource<K, V>(materialization), [parent], [], () =>
      materialization.storeNames(),
    );
    return new KTableImpl<K, V>({
      builder: p.builder,
      name,
      keySerde,
      valueSerde,
      valueGetter: materialization.valueGetter<K, V>(),
      // Queryable only when named by the user (Materialized.as), as Kafka Streams' queryableStoreName().
      storeName: materialized?.storeName,
      window: undefined,
      oldValues: materialization,
    });
  }

  process<KR, VR>(
    supplier: ProcessorSupplierLike<K, V, KR, VR>,
    namedOrStore?: Named | string,
    ...storeNames: string[]
  ): KStream<KR, VR> {
    const p = this.#props;
    const named = namedOrStore instanceof Named ? namedOrStore : undefined;
    const stores = typeof namedOrStore === 'string' ? [namedOrStore, ...storeNames] : storeNames;
    const name = nameOrGenerate(p.builder, named, 'KSTREAM-PROCESSOR-');
    p.builder.addProcessor(name, toSupplier(supplier, 'process'), [p.name], stores);
    return new KStreamImpl<KR, VR>({
      builder: p.builder,
      name,
      keySerde: undefined,
      valueSerde: undefined,
      repartitionRequired: true,
    });
  }

  processValues<VR>(
    supplier: FixedKeyProcessorSupplier<K, V, VR> | (() => FixedKeyProcessor<K, V, VR>),
    namedOrStore?: Named | string,
    ...storeNames: string[]
  ): KStream<K, VR> {
    const p = this.#props;
    const named = namedOrStore instanceof Named ? namedOrStore : undefined;
    const stores = typeof namedOrStore === 'string' ? [namedOrStore, ...storeNames] : storeNames;
    const name = nameOrGenerate(p.builder, named, 'KSTREAM-PROCESSVALUES-');
    // A fixed-key processor runs on the same context as any processor; its typing only forbids changing the key.
    p.builder.addProcessor(name, toSupplier(supplier, 'processValues'), [p.name], stores);
    return new KStreamImpl<K, VR>({ ...p, name, valueSerde: undefined });
  }

  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    const p = this.#props;
    return new KGroupedStreamImpl<K, V>({
      builder: p.builder,
      name: p.name,
      keySerde: grouped?.keySerde ?? p.keySerde,
      valueSerde: grouped?.valueSerde ?? p.valueSerde,
      repartitionRequired: p.repartitionRequired,
      groupedName: grouped?.name,
    });
  }

  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, grouped?: Grouped<KR, V>): KGroupedStream<KR, V> {
    const p = this.#props;
    // As in Kafka Streams, a named grouping names the key selector too.
    const name = grouped?.name ?? p.builder.newProcessorName('KSTREAM-KEY-SELECT-');
    p.builder.addProcessor(name, new KStreamSelectKey(selector), [p.name]);
    return new KGroupedStreamImpl<KR, V>({
      builder: p.builder,
      name,
      keySerde: grouped?.keySerde,
      valueSerde: grouped?.valueSerde ?? p.valueSerde,
      repartitionRequired: true,
      groupedName: grouped?.name,
    });
  }

  join<VO, VR>(
    other: KStream<K, VO> | KTable<K, VO> | GlobalKTable<unknown, VO>,
    joiner: ValueJoiner<V, VO, VR, K> | KeyValueMapper<K, V, unknown>,
    windowsOrJoined?: JoinWindows | Joined<K, V, VO> | ValueJoiner<V, VO, VR, K>,
    streamJoined?: StreamJoined<K, V, VO> | Named,
  ): KStream<K, VR> {
    return this.#joinAny(other, joiner, windowsOrJoined, streamJoined, false);
  }

  leftJoin<VO, VR>(
    other: KStream<K, VO> | KTable<K, VO> | GlobalKTable<unknown, VO>,
    joiner: ValueJoiner<V, VO | null, VR, K> | KeyValueMapper<K, V, unknown>,
    windowsOrJoined?: JoinWindows | Joined<K, V, VO> | ValueJoiner<V, VO | null, VR, K>,
    streamJoined?: StreamJoined<K, V, VO> | Named,
  ): KStream<K, VR> {
    return this.#joinAny(other, joiner, windowsOrJoined, streamJoined, true);
  }

  /** A global table takes (keySelector, joiner, named); a stream or table (joiner, windows or Joined, ...). */
  #joinAny<VR>(other: unknown, a: unknown, b: unknown, c: unknown, left: boolean): KStream<K, VR> {
    if (other instanceof GlobalKTableImpl)
      return joinGlobalTable(this, other, a as never, b as never, c as never, left);
    return this.#join(other as never, a as never, b as never, c as never, left, false, left ? 'leftJoin' : 'join');
  }

  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR> {
    if (other instanceof KTableImpl)
      throw new TopologyError('outerJoin: a stream can only be outer-joined with a stream');
    return this.#join(other, joiner, windows, streamJoined, true, true, 'outerJoin');
  }

  #join<VO, VR>(
    other: KStream<K, VO> | KTable<K, VO>,
    joiner: InternalJoiner<V | null, VO | null, VR, K>,
    windowsOrJoined: JoinWindows | Joined<K, V, VO> | undefined,
    streamJoined: StreamJoined<K, V, VO> | undefined,
    leftOuter: boolean,
    rightOuter: boolean,
    operation: string,
  ): KStream<K, VR> {
    if (other instanceof KTableImpl) {
      if (windowsOrJoined instanceof JoinWindows) {
        throw new TopologyError(`${operation}: a stream-table join takes no JoinWindows (pass Joined options)`);
      }
      return this.#joinTable(other as KTableImpl<K, VO>, joiner, windowsOrJoined, leftOuter);
    }
    if (!(windowsOrJoined instanceof JoinWindows)) {
      throw new TopologyError(
        `${operation}: a stream-stream join needs JoinWindows (JoinWindows.ofTimeDifferenceAndGrace)`,
      );
    }
    const o = asStreamImpl(other as KStream<K, VO>, operation);
    return joinStreams<K, V, VO, VR>(this, o, joiner, windowsOrJoined, streamJoined, leftOuter, rightOuter);
  }

  #joinTable<VT, VR>(
    table: KTableImpl<K, VT>,
    joiner: InternalJoiner<V, VT | null, VR, K>,
    joined: Joined<K, V, VT> | undefined,
    leftJoin: boolean,
  ): KStream<K, VR> {
    const p = this.#props;
    const t = table.internalProps();
    if (t.builder !== p.builder)
      throw new TopologyError('join: the stream and the table must come from the same StreamsBuilder');
    const keySerde = joined?.keySerde ?? p.keySerde;
    // As Kafka Streams: the repartition topic is named after the join's name or this stream's node, and the join's
    // counter value is taken after the repartition's (even when the join is named).
    const valueSerde = joined?.valueSerde ?? p.valueSerde;
    const parent = this.#repartitionedParent(joined?.name ?? p.name, keySerde, valueSerde);
    const generated = p.builder.newProcessorName(leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
    const name = joined?.name ?? generated;
    const getter = t.valueGetter;
    // Connecting the table's stores puts the join into the table's sub-topology: both inputs must be co-partitioned.
    const join = streamTableJoin(p.builder, name, getter, joiner, leftJoin, joined, [keySerde, valueSerde]);
    p.builder.addProcessor(name, join.supplier, [parent], join.storeNames);
    return new KStreamImpl<K, VR>({
      builder: p.builder,
      name,
      keySerde,
      valueSerde: undefined,
      repartitionRequired: false,
    });
  }

  /** This stream's node, or — when its key was changed — the source of a repartition topic `<topicBase>-repartition`. */
  #repartitionedParent(topicBase: string, keySerde?: Serde<K>, valueSerde?: Serde<V>): string {
    const p = this.#props;
    if (!p.repartitionRequired) return p.name;
    return p.builder.repartition({
      parentName: p.name,
      topicName: topicBase,
      keySerde: keySerde,
      valueSerde: valueSerde,
    });
  }

  /** @internal Repartitions for a join when needed, returning the stream to join. */
  repartitionedForJoin(topicBase: string, keySerde?: Serde<K>, valueSerde?: Serde<V>): KStreamImpl<K, V> {
    const p = this.#props;
    if (!p.repartitionRequired) return this;
    const name = this.#repartitionedParent(topicBase, keySerde, valueSerde);
    return new KStreamImpl<K, V>({
      builder: p.builder,
      name,
      keySerde: keySerde,
      valueSerde: valueSerde,
      repartitionRequired: false,
    });
  }

  #stateless<KR, VR>(
    named: Named | undefined,
    prefix: string,
    supplier: ProcessorSupplier<K, V, KR, VR>,
    changes: Partial<Pick<StreamProps<KR, VR>, 'keySerde' | 'valueSerde' | 'repartitionRequired'>>,
  ): KStream<KR, VR> {
    const p = this.#props;
    const name = nameOrGenerate(p.builder, named, prefix);
    p.builder.addProcessor(name, supplier, [p.name]);
    return new KStreamImpl<KR, VR>({ ...(p as unknown as StreamProps<KR, VR>), name, ...changes });
  }
}

function asStreamImpl<K, V>(stream: KStream<K, V>, operation: string): KStreamImpl<K, V> {
  if (!(stream instanceof KStreamImpl)) {
    throw new TopologyError(`${operation}: expected a KStream made by a StreamsBuilder, got ${String(stream)}`);
  }
  return stream as KStreamImpl<K, V>;
}
