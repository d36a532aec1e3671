import type { AsyncProcessingOptions, ProcessorSupplier } from '@kaskade/processor-api';
import { asyncProcessor } from '@kaskade/core';
import type { AsyncPredicate, AsyncValueMapper } from '../../async-functions.js';

/** `mapValuesAsync`, `flatMapValuesAsync` and `filterAsync` as asynchronous processors (same key, so no repartition). */
export const KStreamAsyncSteps = {
  mapValues<K, V, VR>(
    mapper: AsyncValueMapper<V, VR, K>,
    options?: AsyncProcessingOptions,
  ): ProcessorSupplier<K, V, K, VR> {
    return asyncProcessor<K, V, K, VR>(
      () => ({
        process: async (record, attempt) => [record.withValue(await mapper(record.value, record.key, attempt))],
      }),
      options,
    );
  },

  flatMapValues<K, V, VR>(
    mapper: AsyncValueMapper<V, Iterable<VR>, K>,
    options?: AsyncProcessingOptions,
  ): ProcessorSupplier<K, V, K, VR> {
    return asyncProcessor<K, V, K, VR>(
      () => ({
        process: async (record, attempt) =>
          Array.from(await mapper(record.value, record.key, attempt), (v) => record.withValue(v)),
      }),
      options,
    );
  },

  filter<K, V>(predicate: AsyncPredicate<K, V>, options?: AsyncProcessingOptions): ProcessorSupplier<K, V, K, V> {
    return asyncProcessor<K, V, K, V>(
      () => ({
        process: async (record, attempt) => ((await predicate(record.key, record.value, attempt)) ? [record] : []),
      }),
      options,
    );
  },
};
