import { TopologyError } from '@kaskade/processor-api';
import type { KeyValueMapper } from '../functions.js';
import type { KStream } from '../kstream.js';
import { Named } from '../named.js';
import type { GlobalKTableImpl } from './global-ktable-impl.js';
import type { InternalJoiner } from './internal-joiner.js';
import { KStreamImpl } from './kstream-impl.js';
import { KStreamKTableJoin } from './processors/kstream-ktable-join.js';

/**
 * `KStream.join/leftJoin(globalTable, keySelector, joiner, named?)`: each stream record looks up the global table's
 * value for the key the selector computes. No repartitioning and no co-partitioning: every instance has the whole
 * table. Named `KSTREAM-LEFTJOIN-<n>` for inner joins too, as Kafka Streams names both.
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamImpl#globalTableJoin
 */
export function joinGlobalTable<K, V, GK, GV, VR>(
  stream: KStreamImpl<K, V>,
  table: GlobalKTableImpl<GK, GV>,
  keySelector: KeyValueMapper<K, V, GK>,
  joiner: InternalJoiner<V, GV | null, VR, K>,
  named: Named | undefined,
  leftJoin: boolean,
): KStream<K, VR> {
  const p = stream.internalProps();
  const operation = leftJoin ? 'leftJoin' : 'join';
  if (table.builder !== p.builder) {
    throw new TopologyError(`${operation}: the stream and the global table must come from the same StreamsBuilder`);
  }
  if (typeof keySelector !== 'function' || typeof joiner !== 'function') {
    throw new TopologyError(`${operation}(globalTable, keySelector, joiner): keySelector and joiner must be functions`);
  }
  if (named !== undefined && !(named instanceof Named)) {
    throw new TopologyError(`${operation}(globalTable, keySelector, joiner, named): the 4th argument must be a Named`);
  }
  const generated = p.builder.newProcessorName('KSTREAM-LEFTJOIN-');
  const name = named?.name ?? generated;
  const join = new KStreamKTableJoin<K, V, GV, VR>(
    table.valueGetter() as never,
    joiner,
    leftJoin,
    keySelector as (key: K, value: V) => unknown,
  );
  // The global store is not connected: every processor reads global stores by name.
  p.builder.addProcessor(name, join, [p.name]);
  return new KStreamImpl<K, VR>({
    builder: p.builder,
    name,
    keySerde: p.keySerde,
    valueSerde: undefined,
    repartitionRequired: p.repartitionRequired,
  });
}
