import type { AsyncProcessingOptions, ProcessorSupplier } from '@kaskade/processor-api';
import type { AsyncPredicate, AsyncValueMapper } from '../async-functions.js';
import type { KStream } from '../kstream.js';
import type { Named } from '../named.js';
import { nameOrGenerate } from './args.js';
import { KStreamAsyncSteps } from './processors/kstream-async-steps.js';
import type { StreamProps } from './stream-props.js';

/**
 * The KStream's asynchronous operators (`filterAsync`, `mapValuesAsync`, `flatMapValuesAsync`). Each is one
 * asynchronous processor after the stream's node; the key stays, so none marks the stream for repartitioning.
 */
export abstract class KStreamAsyncOperations<K, V> {
  /** @internal The handle's state, for the other handles of this package. */
  abstract internalProps(): StreamProps<K, V>;

  filterAsync(predicate: AsyncPredicate<K, V>, options?: AsyncProcessingOptions, named?: Named): KStream<K, V> {
    return this.#addStep(named, 'KSTREAM-FILTER-ASYNC-', KStreamAsyncSteps.filter(predicate, options), {});
  }

  mapValuesAsync<VR>(
    mapper: AsyncValueMapper<V, VR, K>,
    options?: AsyncProcessingOptions,
    named?: Named,
  ): KStream<K, VR> {
    const supplier = KStreamAsyncSteps.mapValues(mapper, options);
    return this.#addStep(named, 'KSTREAM-MAPVALUES-ASYNC-', supplier, { valueSerde: undefined });
  }

  flatMapValuesAsync<VR>(
    mapper: AsyncValueMapper<V, Iterable<VR>, K>,
    options?: AsyncProcessingOptions,
    named?: Named,
  ): KStream<K, VR> {
    const supplier = KStreamAsyncSteps.flatMapValues(mapper, options);
    return this.#addStep(named, 'KSTREAM-FLATMAPVALUES-ASYNC-', supplier, { valueSerde: undefined });
  }

  /** Adds the processor after this stream's node; the new handle (of this handle's class) keeps the key's props. */
  #addStep<VR>(
    named: Named | undefined,
    prefix: string,
    supplier: ProcessorSupplier<K, V, K, VR>,
    changes: { valueSerde?: undefined },
  ): KStream<K, VR> {
    const p = this.internalProps();
    const name = nameOrGenerate(p.builder, named, prefix);
    p.builder.addProcessor(name, supplier as never, [p.name]);
    const Handle = this.constructor as new (props: StreamProps<K, VR>) => KStream<K, VR>;
    return new Handle({ ...(p as unknown as StreamProps<K, VR>), name, ...changes });
  }
}
