import { TopologyError } from '@kaskade/processor-api';
import type { Serde, StateStore, StoreBuilder } from '@kaskade/processor-api';
import { Stores } from '@kaskade/state-store';
import { Serdes } from '@kaskade/core';
import type { DeduplicateOptions, DeduplicationId } from '../deduplicate-options.js';
import type { KStream } from '../kstream.js';
import { checkDuration } from './check-duration.js';
import { KStreamImpl } from './kstream-impl.js';
import { KStreamDeduplicate } from './processors/kstream-deduplicate.js';

/**
 * Builds `deduplicate`: a `KSTREAM-DEDUPLICATE-` processor over a window store of the ids seen (logged to a changelog,
 * no cache: a duplicate must be recognised at once). Deduplicating by key after a key change repartitions first, so
 * that all copies of a key meet in one task; an id selector or the source offset sees the records where they are.
 */
export function deduplicateStream<K, V, ID>(
  stream: KStreamImpl<K, V>,
  first: DeduplicationId<K, V, ID> | DeduplicateOptions<ID> | undefined,
  second: DeduplicateOptions<ID> | undefined,
): KStream<K, V> {
  const byKey = first === undefined || (typeof first === 'object' && first !== null);
  const id = byKey ? undefined : (first as DeduplicationId<K, V, ID>);
  const options = byKey ? (first as DeduplicateOptions<ID> | undefined) : second;
  if (id !== undefined && id !== 'sourceOffset' && typeof id !== 'function') {
    throw new TopologyError(
      `deduplicate: the id must be a function (key, value) => id or 'sourceOffset', got ${String(id)}`,
    );
  }
  if (options === undefined) throw new TopologyError('deduplicate: needs options with retentionMs');
  checkDuration('deduplicate: retentionMs', options.retentionMs, 1);
  if (id === 'sourceOffset' && options.idSerde !== undefined) {
    throw new TopologyError("deduplicate: 'sourceOffset' ids are strings of their own; idSerde does not apply");
  }
  if (options.storeType !== undefined && options.storeType !== 'persistent' && options.storeType !== 'in-memory') {
    throw new TopologyError(
      `deduplicate: storeType must be 'persistent' or 'in-memory', got ${String(options.storeType)}`,
    );
  }
  const p = stream.internalProps();
  const builder = p.builder;
  const generated = builder.newProcessorName('KSTREAM-DEDUPLICATE-');
  const name = options.name ?? generated;
  const storeName = options.name !== undefined ? `${options.name}-store` : builder.newStoreName('KSTREAM-DEDUPLICATE-');
  // Deduplicating by key: the id is the key (ID = K), so an idSerde is the key serde of the repartition topic.
  const keyIdSerde = options.idSerde as Serde<unknown> | undefined as Serde<K> | undefined;
  const parent = byKey ? stream.repartitionedForJoin(name, keyIdSerde ?? p.keySerde, p.valueSerde).internalProps() : p;
  const idSerde: Serde<unknown> =
    id === 'sourceOffset'
      ? Serdes.String()
      : ((options.idSerde ?? (byKey ? p.keySerde : undefined) ?? builder.defaultSerde('key')) as Serde<unknown>);
  const windowOptions = { retentionMs: options.retentionMs, windowSizeMs: 0 }; // an id is a point in time
  const supplier =
    options.storeType === 'in-memory'
      ? Stores.inMemoryWindowStore(storeName, windowOptions)
      : Stores.persistentWindowStore(storeName, windowOptions);
  // Logged, never cached: a duplicate must be recognised at once, and under exactly-once the ids commit with the output.
  const store = Stores.windowStoreBuilder(supplier, idSerde, Serdes.Int64()).withLoggingEnabled({});
  builder.addStore(store as unknown as StoreBuilder<StateStore>);
  builder.addProcessor(
    name,
    new KStreamDeduplicate<K, V, ID>(storeName, id, options.retentionMs),
    [parent.name],
    [storeName],
  );
  return new KStreamImpl<K, V>({ ...parent, name });
}
