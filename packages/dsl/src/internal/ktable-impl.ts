import { TopologyError } from '@kaskade/processor-api';
import type { KeyValue, Serde, Windowed } from '@kaskade/processor-api';
import type { KeyValueMapper, Predicate, ValueJoiner, ValueMapper } from '../functions.js';
import type { Grouped } from '../grouped.js';
import type { KGroupedTable } from '../kgrouped-table.js';
import type { KStream } from '../kstream.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import { Named } from '../named.js';
import { BufferConfig } from '../buffer-config.js';
import { Suppressed } from '../suppressed.js';
import { erased, namedAndMaterialized, nameOrGenerate } from './args.js';
import { foreignKeyJoin } from './foreign-key-join/foreign-key-join.js';
import { KGroupedTableImpl } from './kgrouped-table-impl.js';
import { KStreamImpl } from './kstream-impl.js';
import { keyValueStoreGetter } from './ktable-value-getter.js';
import type { KTableValueGetterSupplier } from './ktable-value-getter.js';
import { KTableFilter } from './processors/ktable-filter.js';
import { KTableKTableJoin, tableJoinValueGetter } from './processors/ktable-ktable-join.js';
import type { TableJoiner } from './processors/ktable-ktable-join.js';
import { KTableKTableJoinMerger } from './processors/ktable-ktable-join-merger.js';
import { KTableMapValues } from './processors/ktable-map-values.js';
import { KTableRepartitionMap } from './processors/ktable-repartition-map.js';
import { KTableSuppress } from './processors/ktable-suppress.js';
import type { SuppressionSpec } from './processors/ktable-suppress.js';
import { KTableToStream } from './processors/ktable-to-stream.js';
import { BufferedChangeSerde } from './serde/buffered-change-serde.js';
import { addKeyValueStore, addTimestampedKeyValueStore } from './store-factory.js';
import type { StoreSettings } from './store-factory.js';
import type { TableProps } from './stream-props.js';

/** Any function: what the implementation of an overloaded join takes before telling the overloads apart. */
type AnyFunction = (...args: never[]) => unknown;
type JoinArg<K, VR> = Named | Materialized<K, VR> | AnyFunction;

/**
 * The KTable handle. Its updates travel as `Change` (new value, old value) between table processors; `toStream`
 * turns them back into plain records.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableImpl
 */
export class KTableImpl<K, V> implements KTable<K, V> {
  readonly #props: TableProps<K, V>;

  constructor(props: TableProps<K, V>) {
    this.#props = Object.freeze({ ...props });
  }

  /** @internal */
  internalProps(): TableProps<K, V> {
    return this.#props;
  }

  queryableStoreName(): string | undefined {
    return this.#props.storeName;
  }

  filter(predicate: Predicate<K, V>, first?: Named | Materialized<K, V>, second?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, false, first, second, 'filter');
  }

  filterNot(predicate: Predicate<K, V>, first?: Named | Materialized<K, V>, second?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, true, first, second, 'filterNot');
  }

  mapValues<VR>(
    mapper: ValueMapper<V, VR, K>,
    first?: Named | Materialized<K, VR>,
    second?: Materialized<K, VR>,
  ): KTable<K, VR> {
    if (typeof mapper !== 'function') throw new TopologyError('KTable.mapValues() needs a mapper function');
    const p = this.#props;
    const [named, materialized] = namedAndMaterialized(first, second, 'mapValues');
    const storeName =
      materialized === undefined ? undefined : (materialized.storeName ?? p.builder.newStoreName('KTABLE-MAPVALUES-'));
    const name = nameOrGenerate(p.builder, named, 'KTABLE-MAPVALUES-');
    const supplier = new KTableMapValues<K, V, VR>(mapper, storeName);
    const valueSerde = materialized?.valueSerde;
    const keySerde = materialized?.keySerde ?? p.keySerde;
    if (storeName !== undefined) this.#addStore(storeName, erased(materialized), keySerde, valueSerde);
    p.builder.addProcessor(name, supplier, [p.name], storeName === undefined ? [] : [storeName]);
    return new KTableImpl<K, VR>({
      builder: p.builder,
      name,
      keySerde,
      valueSerde,
      valueGetter: storeName === undefined ? supplier.view(p.valueGetter) : keyValueStoreGetter(storeName),
      storeName,
      window: p.window,
      oldValues: {
        enableSendingOldValues: (force: boolean) =>
          storeName !== undefined || (p.oldValues?.enableSendingOldValues(force) ?? true),
      },
    });
  }

  toStream<KR>(first?: Named | KeyValueMapper<K, V | null, KR>, second?: Named): KStream<KR, V | null> {
    const p = this.#props;
    const mapper = typeof first === 'function' ? first : undefined;
    const named = first instanceof Named ? first : second;
    const name = nameOrGenerate(p.builder, named, 'KTABLE-TOSTREAM-');
    p.builder.addProcessor(name, new KTableToStream<K, V, K>(undefined), [p.name]);
    const stream = new KStreamImpl<K, V | null>({
      builder: p.builder,
      name,
      keySerde: p.keySerde,
      valueSerde: p.valueSerde as Serde<V | null> | undefined,
      repartitionRequired: false,
    });
    // As Kafka Streams: toStream(mapper) is toStream() followed by selectKey(mapper).
    return mapper === undefined ? (stream as unknown as KStream<KR, V | null>) : stream.selectKey(mapper);
  }

  groupBy<KR, VR>(selector: KeyValueMapper<K, V, KeyValue<KR, VR>>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR> {
    if (typeof selector !== 'function') throw new TopologyError('KTable.groupBy() needs a selector function');
    const p = this.#props;
    const generated = p.builder.newProcessorName('KTABLE-SELECT-'); // taken even when named, as in Kafka Streams
    const name = grouped?.name ?? generated;
    // The repartition map subtracts old values from the old group: the parent must send them (and so keep them).
    p.oldValues?.enableSendingOldValues(true);
    p.builder.addProcessor(name, new KTableRepartitionMap<K, V, KR, VR>(selector), [p.name]);
    return new KGroupedTableImpl<KR, VR>({
      builder: p.builder,
      name,
      keySerde: grouped?.keySerde,
      valueSerde: grouped?.valueSerde,
      groupedName: grouped?.name,
    });
  }

  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO, VR, K>,
    first?: Named | Materialized<K, VR>,
    second?: Materialized<K, VR>,
  ): KTable<K, VR>;
  join<VR, KO, VO>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: (value: V, otherValue: VO) => VR,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  join<VR>(other: object, second: AnyFunction, third?: JoinArg<K, VR>, fourth?: Materialized<K, VR>): KTable<K, VR> {
    return this.#joinAny(other, second, third, fourth, false, 'join');
  }

  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    first?: Named | Materialized<K, VR>,
    second?: Materialized<K, VR>,
  ): KTable<K, VR>;
  leftJoin<VR, KO, VO>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: (value: V, otherValue: VO | null) => VR,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  leftJoin<VR>(
    other: object,
    second: AnyFunction,
    third?: JoinArg<K, VR>,
    fourth?: Materialized<K, VR>,
  ): KTable<K, VR> {
    return this.#joinAny(other, second, third, fourth, true, 'leftJoin');
  }

  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    first?: Named | Materialized<K, VR>,
    second?: Materialized<K, VR>,
  ): KTable<K, VR> {
    return this.#join(other, joiner, first, second, true, true, 'outerJoin');
  }

  suppress(suppressed: Suppressed): KTable<K, V> {
    if (!(suppressed instanceof Suppressed)) throw new TopologyError('suppress() needs a Suppressed');
    const p = this.#props;
    // The buffer keeps the prior value of each key: the parent must send old values (KTableSuppressProcessorSupplier).
    p.oldValues?.enableSendingOldValues(true);
    const name = suppressed.name ?? p.builder.newProcessorName('KTABLE-SUPPRESS-');
    const storeName =
      suppressed.name !== undefined ? `${suppressed.name}-store` : p.builder.newStoreName('KTABLE-SUPPRESS-');
    const settings: StoreSettings = {
      loggingEnabled: suppressed.loggingEnabled,
      logConfig: suppressed.logConfig,
      cachingEnabled: false,
      storeType: 'in-memory',
    };
    if (suppressed.kind === 'until-window-closes') {
      if (p.window === undefined) {
        throw new TopologyError(
          'Suppressed.untilWindowCloses needs the result of a windowed aggregation (windowedBy(...).count/reduce/aggregate)',
        );
      }
      const spec = this.#finalResultsSpec(suppressed.bufferConfig, suppressed.wallClockCheckMs);
      return this.#suppress(name, storeName, settings, spec);
    }
    return this.#suppress(name, storeName, settings, {
      bufferTime: (_key, recordTimestamp) => recordTimestamp,
      waitMs: suppressed.timeLimitMs,
      dropTombstones: false,
      bufferConfig: suppressed.bufferConfig,
    });
  }

  /** @internal EmitStrategy.onWindowClose: final results of a windowed aggregation. */
  suppressFinalResults(
    name: string,
    storeName: string,
    settings: StoreSettings,
    wallClockCheckMs: number | undefined,
  ): KTable<K, V> {
    return this.#suppress(
      name,
      storeName,
      { ...settings, cachingEnabled: false, storeType: 'in-memory' },
      this.#finalResultsSpec(BufferConfig.unbounded(), wallClockCheckMs, this.#props.window!.sessionGapMs ?? 0),
    );
  }

  /** `extraWaitMs`: beyond grace (emit-on-window-close of sessions waits their gap too). */
  #finalResultsSpec(
    bufferConfig: SuppressionSpec<K>['bufferConfig'],
    wallClockCheckMs: number | undefined,
    extraWaitMs = 0,
  ): SuppressionSpec<K> {
    const window = this.#props.window!;
    // A window's results are final once no record can update it any more: for time windows [start, end) once
    // end + grace <= stream time; session and sliding windows include their end and close one ms later.
    const extra = window.endInclusive ? 1 : 0;
    return {
      bufferTime: (key) => (key as unknown as Windowed<unknown>).window.end + extra,
      waitMs: window.graceMs + extraWaitMs,
      dropTombstones: true,
      bufferConfig,
      wallClockCheckMs,
    };
  }

  #suppress(name: string, storeName: string, settings: StoreSettings, spec: SuppressionSpec<K>): KTable<K, V> {
    const p = this.#props;
    const keySerde = (p.keySerde ?? p.builder.defaultSerde('key')) as Serde<K>;
    const valueSerde = (p.valueSerde ?? p.builder.defaultSerde('value')) as Serde<V>;
    addKeyValueStore(
      p.builder,
      storeName,
      settings,
      keySerde as Serde<unknown>,
      new BufferedChangeSerde(valueSerde) as Serde<unknown>,
    );
    p.builder.addProcessor(name, new KTableSuppress<K, V>(storeName, spec, keySerde), [p.name], [storeName]);
    // Lookups (joins) read through to the unsuppressed table: they may see values not emitted yet.
    return new KTableImpl<K, V>({ ...p, name, storeName: undefined });
  }

  #filter(
    predicate: Predicate<K, V>,
    filterNot: boolean,
    first: Named | Materialized<K, V> | undefined,
    second: Materialized<K, V> | undefined,
    operation: string,
  ): KTable<K, V> {
    if (typeof predicate !== 'function') throw new TopologyError(`KTable.${operation}() needs a predicate function`);
    const p = this.#props;
    const [named, materialized] = namedAndMaterialized(first, second, operation);
    const storeName =
      materialized === undefined ? undefined : (materialized.storeName ?? p.builder.newStoreName('KTABLE-FILTER-'));
    const name = nameOrGenerate(p.builder, named, 'KTABLE-FILTER-');
    const supplier = new KTableFilter<K, V>(predicate, filterNot, storeName, p.oldValues);
    const keySerde = materialized?.keySerde ?? p.keySerde;
    const valueSerde = materialized?.valueSerde ?? p.valueSerde;
    if (storeName !== undefined) this.#addStore(storeName, erased(materialized), keySerde, valueSerde);
    p.builder.addProcessor(name, supplier, [p.name], storeName === undefined ? [] : [storeName]);
    return new KTableImpl<K, V>({
      ...p,
      name,
      keySerde,
      valueSerde,
      valueGetter: storeName === undefined ? supplier.view(p.valueGetter) : keyValueStoreGetter(storeName),
      storeName,
      oldValues: supplier,
    });
  }

  #join<VO, VR>(
    other: KTable<K, VO>,
    joiner: TableJoiner<K>,
    first: Named | Materialized<K, VR> | undefined,
    second: Materialized<K, VR> | undefined,
    leftOuter: boolean,
    rightOuter: boolean,
    operation: string,
  ): KTable<K, VR> {
    if (!(other instanceof KTableImpl))
      throw new TopologyError(`${operation}: expected a KTable made by a StreamsBuilder`);
    if (typeof joiner !== 'function') throw new TopologyError(`${operation}: needs a joiner function`);
    const p = this.#props;
    const o = (other as KTableImpl<K, VO>).internalProps();
    if (o.builder !== p.builder)
      throw new TopologyError(`${operation}: both tables must come from the same StreamsBuilder`);
    const [named, materialized] = namedAndMaterialized(first, second, operation);
    const builder = p.builder;
    // As Kafka Streams (KTableImpl.doJoin): the outer side(s) must send old values, which materializes them.
    if (leftOuter) p.oldValues?.enableSendingOldValues(true);
    if (rightOuter) o.oldValues?.enableSendingOldValues(true);
    const storeName =
      materialized === undefined ? undefined : (materialized.storeName ?? builder.newStoreName('KTABLE-MERGE-'));
    const mergeName = nameOrGenerate(builder, named, 'KTABLE-MERGE-');
    const thisName = named ? `${named.name}-join-this` : builder.newProcessorName('KTABLE-JOINTHIS-');
    const otherName = named ? `${named.name}-join-other` : builder.newProcessorName('KTABLE-JOINOTHER-');
    const thisMode = !leftOuter ? 'inner' : !rightOuter ? 'left' : 'outer';
    const otherMode = !leftOuter ? 'inner' : !rightOuter ? 'right' : 'outer';
    const thisGetter = p.valueGetter as KTableValueGetterSupplier<K, unknown>;
    const otherGetter = o.valueGetter as KTableValueGetterSupplier<K, unknown>;
    const keySerde = materialized?.keySerde ?? p.keySerde;
    const valueSerde = materialized?.valueSerde;
    // Each side's join processor reads the other side's stores: both tables end up in one sub-topology and must be
    // co-partitioned.
    builder.addProcessor(
      thisName,
      new KTableKTableJoin<K>(otherGetter, joiner, thisMode, true),
      [p.name],
      otherGetter.storeNames,
    );
    builder.addProcessor(
      otherName,
      new KTableKTableJoin<K>(thisGetter, joiner, otherMode, false),
      [o.name],
      thisGetter.storeNames,
    );
    if (storeName !== undefined) this.#addStore(storeName, erased(materialized), keySerde, valueSerde);
    builder.addProcessor(
      mergeName,
      new KTableKTableJoinMerger<K, VR>(storeName),
      [thisName, otherName],
      storeName === undefined ? [] : [storeName],
    );
    return new KTableImpl<K, VR>({
      builder,
      name: mergeName,
      keySerde,
      valueSerde,
      valueGetter:
        storeName === undefined
          ? (tableJoinValueGetter(thisGetter, otherGetter, joiner, thisMode) as KTableValueGetterSupplier<K, VR>)
          : keyValueStoreGetter(storeName),
      storeName,
      window: undefined,
    });
  }

  /** A function in third place is the joiner of a foreign-key join (second is then its extractor). */
  #joinAny<VR>(
    other: object,
    second: AnyFunction,
    third: JoinArg<K, VR> | undefined,
    materialized: Materialized<K, VR> | undefined,
    leftJoin: boolean,
    operation: string,
  ): KTable<K, VR> {
    if (typeof third !== 'function') {
      const joiner = second as TableJoiner<K>;
      return this.#join(other as KTable<K, unknown>, joiner, third, materialized, leftJoin, false, operation);
    }
    if (!(other instanceof KTableImpl))
      throw new TopologyError(`${operation}: expected a KTable made by a StreamsBuilder`);
    const right = (other as KTableImpl<unknown, unknown>).internalProps();
    const extractor = second as (value: V) => unknown;
    const joiner = third as (value: V, otherValue: unknown) => VR;
    const args = { left: this.#props, right, extractor, joiner, leftJoin, materialized, operation };
    return new KTableImpl<K, VR>(foreignKeyJoin<K, V, unknown, unknown, VR>(args));
  }

  #addStore(
    storeName: string,
    materialized: Materialized<unknown, unknown> | undefined,
    keySerde: Serde<unknown> | undefined,
    valueSerde: Serde<unknown> | undefined,
  ): void {
    const b = this.#props.builder;
    addTimestampedKeyValueStore(
      b,
      storeName,
      materialized,
      keySerde ?? b.defaultSerde('key'),
      valueSerde ?? b.defaultSerde('value'),
    );
  }
}
