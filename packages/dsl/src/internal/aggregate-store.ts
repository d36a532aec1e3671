import type { Serde, Windowed } from '@kaskade/processor-api';
import type { Materialized } from '../materialized.js';
import type { SessionWindows } from '../session-windows.js';
import { SlidingWindows } from '../sliding-windows.js';
import type { TimeWindows } from '../time-windows.js';
import { SessionWindowedSerde, TimeWindowedSerde } from '../windowed-serdes.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { keyValueStoreGetter, sessionStoreGetter, windowStoreGetter } from './ktable-value-getter.js';
import type { KTableValueGetterSupplier } from './ktable-value-getter.js';
import { addSessionStore, addTimestampedKeyValueStore, addWindowStore, settingsOf } from './store-factory.js';
import type { StoreSettings } from './store-factory.js';
import type { WindowInfo } from './stream-props.js';

/** How the result table of an aggregation reads its store. */
export interface AggregateTable<KR, VA> {
  readonly keySerde: Serde<KR> | undefined;
  readonly valueGetter: KTableValueGetterSupplier<KR, VA>;
  readonly window: WindowInfo | undefined;
}

/**
 * The store an aggregation keeps its aggregates in (key-value, window or session), as the AggregationBuilder adds
 * it, and what the resulting table (keyed by KR: the group's key, or a windowed one) reads it with.
 */
export interface AggregateStore<K, KR, VA> {
  add(
    builder: InternalStreamsBuilder,
    storeName: string,
    materialized: Materialized<unknown, unknown> | undefined,
    keySerde: Serde<K>,
    valueSerde: Serde<VA>,
  ): void;
  /** `keySerde` as known (undefined: the app default); `storeKeySerde` the one the store was given. */
  table(storeName: string, keySerde: Serde<K> | undefined, storeKeySerde: Serde<K>): AggregateTable<KR, VA>;
}

/** A timestamped key-value store: aggregations of grouped streams and tables. */
export function keyValueAggregateStore<K, VA>(): AggregateStore<K, K, VA> {
  return {
    add: addTimestampedKeyValueStore,
    table: (storeName, keySerde) => ({ keySerde, valueGetter: keyValueStoreGetter(storeName), window: undefined }),
  };
}

/**
 * A timestamped window store: time-windowed (tumbling, hopping) and sliding-windowed aggregations. With
 * `emitOnWindowClose` it does not cache, as in Kafka Streams: the processor emits from the store, not on cache flushes.
 */
export function windowAggregateStore<K, VA>(
  windows: TimeWindows | SlidingWindows,
  emitOnWindowClose = false,
): AggregateStore<K, Windowed<K>, VA> {
  const sliding = windows instanceof SlidingWindows;
  const sizeMs = sliding ? windows.timeDifferenceMs : windows.sizeMs;
  // A time window [s, s + size) stays in the store exactly while it is open (end + grace > stream time). Sliding
  // windows look back two time differences (a record's left window is built from its predecessor's), both ends
  // inclusive: one more ms.
  const neededMs = sliding ? 2 * windows.timeDifferenceMs + windows.graceMs + 1 : windows.sizeMs + windows.graceMs;
  return {
    add: (builder, storeName, materialized, keySerde, valueSerde) => {
      const retentionMs = Math.max(neededMs, materialized?.retentionMs ?? 0);
      addWindowStore(
        builder,
        storeName,
        materialized,
        storeSettings(materialized, emitOnWindowClose),
        { retentionMs, windowSizeMs: sizeMs, retainDuplicates: false },
        keySerde,
        valueSerde,
      );
    },
    table: (storeName, _keySerde, storeKeySerde) => ({
      keySerde: new TimeWindowedSerde(storeKeySerde, sizeMs),
      valueGetter: windowStoreGetter(storeName),
      window: { graceMs: windows.graceMs, endInclusive: sliding },
    }),
  };
}

/** A session store: session-windowed aggregations. With `emitOnWindowClose` it does not cache, as in Kafka Streams. */
export function sessionAggregateStore<K, VA>(
  windows: SessionWindows,
  emitOnWindowClose = false,
): AggregateStore<K, Windowed<K>, VA> {
  return {
    add: (builder, storeName, materialized, keySerde, valueSerde) => {
      // Kafka Streams' retention, gap + grace: a session is on time while its end >= stream time - grace - gap, and
      // the store hides sessions ending at or before the store's observed time - retention. A record that could only
      // merge with a hidden session starts a new one (and is late if that ends too early), exactly as in Kafka
      // Streams.
      const retentionMs = Math.max(windows.inactivityGapMs + windows.graceMs, materialized?.retentionMs ?? 0);
      const settings = storeSettings(materialized, emitOnWindowClose);
      addSessionStore(builder, storeName, materialized, settings, retentionMs, keySerde, valueSerde);
    },
    table: (storeName, _keySerde, storeKeySerde) => ({
      keySerde: new SessionWindowedSerde(storeKeySerde),
      valueGetter: sessionStoreGetter(storeName),
      window: { graceMs: windows.graceMs, endInclusive: true, sessionGapMs: windows.inactivityGapMs },
    }),
  };
}

/** `Materialized`'s settings, without caching when the processor emits final results from the store. */
function storeSettings(
  materialized: Materialized<unknown, unknown> | undefined,
  emitOnWindowClose: boolean,
): StoreSettings {
  const settings = settingsOf(materialized);
  return emitOnWindowClose ? { ...settings, cachingEnabled: false } : settings;
}
