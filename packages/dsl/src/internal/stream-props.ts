import type { Serde } from '@kaskade/processor-api';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import type { KTableValueGetterSupplier } from './ktable-value-getter.js';
import type { OldValuesSwitch } from './source-table-materialization.js';

/** What a KStream handle knows: where it attaches in the graph, its serdes, and whether its key was changed. */
export interface StreamProps<K, V> {
  readonly builder: InternalStreamsBuilder;
  /** The graph node that children attach to. */
  readonly name: string;
  /** Known serdes (undefined: unknown — sources/sinks then use the app defaults, stores a DefaultSerde). */
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** The key was changed since the last source or repartition: stateful operations must repartition first. */
  readonly repartitionRequired: boolean;
}

/** The window of a windowed table, for `suppress(untilWindowCloses)`. */
export interface WindowInfo {
  readonly graceMs: number;
  /** Session and sliding windows include their end; time windows do not. */
  readonly endInclusive: boolean;
  /**
   * Session windows: the inactivity gap. `EmitStrategy.onWindowClose()` emits a session once stream time passes its
   * end + gap + grace (a later record within the gap could still extend it), as Kafka Streams does.
   */
  readonly sessionGapMs?: number;
}

/** What a KTable handle knows. */
export interface TableProps<K, V> {
  readonly builder: InternalStreamsBuilder;
  readonly name: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** How to read the table's current values (for joins). */
  readonly valueGetter: KTableValueGetterSupplier<K, V>;
  /** The store that materializes this table, when there is one. */
  readonly storeName: string | undefined;
  readonly window: WindowInfo | undefined;
  /** Whether the table's updates carry old values; absent: they always can (see OldValuesSwitch). */
  readonly oldValues?: OldValuesSwitch | undefined;
}
