import type { ProcessorSupplier, Serde, StateStore, StoreBuilder } from '@kaskade/processor-api';
import { Stores } from '@kaskade/state-store';
import type { Joined } from '../joined.js';
import type { InternalJoiner } from './internal-joiner.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import type { KTableValueGetterSupplier } from './ktable-value-getter.js';
import { KStreamKTableJoin } from './processors/kstream-ktable-join.js';
import { KStreamKTableJoinWithGrace } from './processors/kstream-ktable-join-grace.js';

const BYTES: Serde<Buffer> = { serialize: (_t, data) => data, deserialize: (_t, data) => data };

/**
 * The processor of a stream-table join and the stores to connect to it: the table's, plus — with a grace period
 * (`Joined.withGracePeriod`, versioned tables) — the buffer `<name>-Buffer` where stream records wait, logged to a
 * changelog as Kafka Streams' buffer is.
 */
export function streamTableJoin<K, V, VT, VR>(
  builder: InternalStreamsBuilder,
  name: string,
  table: KTableValueGetterSupplier<K, VT>,
  joiner: InternalJoiner<V, VT | null, VR, K>,
  leftJoin: boolean,
  joined: Joined<K, V, VT> | undefined,
  [keySerde, valueSerde]: readonly [Serde<K> | undefined, Serde<V> | undefined],
): { supplier: ProcessorSupplier<K, V, K, VR>; storeNames: readonly string[] } {
  const graceMs = joined?.gracePeriodMs;
  if (graceMs === undefined || graceMs === 0) {
    return { supplier: new KStreamKTableJoin<K, V, VT, VR>(table, joiner, leftJoin), storeNames: table.storeNames };
  }
  const bufferName = `${name}-Buffer`;
  const buffer = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(bufferName), BYTES, BYTES);
  builder.addStore(buffer as unknown as StoreBuilder<StateStore>);
  const supplier = new KStreamKTableJoinWithGrace<K, V, VT, VR>({
    table,
    joiner,
    leftJoin,
    graceMs,
    bufferName,
    keySerde: keySerde ?? builder.defaultSerde<K>('key'),
    valueSerde: valueSerde ?? builder.defaultSerde<V>('value'),
  });
  return { supplier, storeNames: [...table.storeNames, bufferName] };
}
