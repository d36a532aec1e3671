import type { AsyncProcessingOptions, ProcessorSupplier } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import type { AsyncPredicate, AsyncValueMapper } from '../async-functions.js';
import type { ClaimCheckOptions, ResolveClaimCheckOptions } from '../claim-check-options.js';
import { ClaimCheckError } from '../claim-check-options.js';
import type { KStream } from '../kstream.js';
import type { Named } from '../named.js';
import { nameOrGenerate } from './args.js';
import { ClaimCheckSteps } from './processors/claim-check-steps.js';
import { KStreamAsyncSteps } from './processors/kstream-async-steps.js';
import type { StreamProps } from './stream-props.js';

/**
 * The KStream's asynchronous operators (`filterAsync`, `mapValuesAsync`, `flatMapValuesAsync`, the claim check). Each is one
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

  claimCheck(options: ClaimCheckOptions<V>): KStream<K, Buffer> {
    checkClaimCheckOptions('claimCheck', options);
    const { thresholdBytes, retentionMs, sweepIntervalMs } = options;
    if (!Number.isInteger(thresholdBytes) || thresholdBytes < 0) {
      throw claimCheckOptionError('claimCheck', 'thresholdBytes', 'must be an integer >= 0', thresholdBytes);
    }
    for (const [field, v] of [
      ['retentionMs', retentionMs],
      ['sweepIntervalMs', sweepIntervalMs],
    ] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
        throw claimCheckOptionError('claimCheck', field, 'must be a positive integer (ms)', v);
      }
    }
    const valueSerde = options.valueSerde ?? this.internalProps().valueSerde;
    if (valueSerde === undefined) {
      throw claimCheckOptionError(
        'claimCheck',
        'valueSerde',
        "is needed: the stream's value serde is not known",
        undefined,
      );
    }
    const supplier = ClaimCheckSteps.check<K, V>(options, valueSerde);
    return this.#addStep(undefined, 'KSTREAM-CLAIM-CHECK-', supplier, { valueSerde: Serdes.Bytes() });
  }

  resolveClaimCheck<VR>(options: ResolveClaimCheckOptions<VR>): KStream<K, VR> {
    checkClaimCheckOptions('resolveClaimCheck', options);
    if (typeof options.valueSerde?.deserialize !== 'function') {
      throw claimCheckOptionError('resolveClaimCheck', 'valueSerde', 'must be a serde', options.valueSerde);
    }
    // The interface allows this only on a stream of bytes (`this: KStream<K, Buffer>`).
    const supplier = ClaimCheckSteps.resolve<K, VR>(options) as unknown as ProcessorSupplier<K, V, K, VR>;
    return this.#addStep(undefined, 'KSTREAM-RESOLVE-CLAIM-CHECK-', supplier, { valueSerde: options.valueSerde });
  }

  /** Adds the processor after this stream's node; the new handle (of this handle's class) keeps the key's props. */
  #addStep<VR>(
    named: Named | undefined,
    prefix: string,
    supplier: ProcessorSupplier<K, V, K, VR>,
    changes: { valueSerde?: StreamProps<K, VR>['valueSerde'] },
  ): KStream<K, VR> {
    const p = this.internalProps();
    const name = nameOrGenerate(p.builder, named, prefix);
    p.builder.addProcessor(name, supplier as never, [p.name]);
    const Handle = this.constructor as new (props: StreamProps<K, VR>) => KStream<K, VR>;
    return new Handle({ ...(p as unknown as StreamProps<K, VR>), name, ...changes });
  }
}

function claimCheckOptionError(op: string, field: string, problem: string, value: unknown): ClaimCheckError {
  return new ClaimCheckError(`${op}: ${field} ${problem} (got ${String(value)})`, { context: { field } });
}

function checkClaimCheckOptions(op: string, options: { store?: unknown; topic?: unknown }): void {
  const store = options?.store as { put?: unknown; get?: unknown; deleteOlderThan?: unknown } | undefined;
  if (
    typeof store?.put !== 'function' ||
    typeof store.get !== 'function' ||
    typeof store.deleteOlderThan !== 'function'
  ) {
    throw claimCheckOptionError(op, 'store', 'must be a BlobStore (put, get, deleteOlderThan)', store);
  }
  if (typeof options.topic !== 'string' || options.topic === '') {
    throw claimCheckOptionError(op, 'topic', 'must be the topic name', options.topic);
  }
}
