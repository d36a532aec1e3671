import { TopologyError } from '@kaskade/processor-api';
import type {
  AsyncProcessingOptions,
  AsyncProcessor,
  AsyncProcessorSupplier,
  Processor,
  ProcessorSupplier,
} from '@kaskade/processor-api';
import { AsyncProcessorNode } from './async-processor-node.js';
import { resolveAsyncOptions } from './resolved-async-options.js';

/**
 * Turns an asynchronous processor into a processor supplier for `Topology.addProcessor` (or `KStream.process`).
 * Records with the same key run one at a time in input order; different keys run concurrently up to
 * `options.concurrency` per task; each attempt is limited to `timeoutMs` and retried `retries` times with backoff; a
 * record that fails every attempt goes to the processing exception handler as an `AsyncProcessingError`.
 * Invalid options fail here, with a `TopologyError` naming the option.
 *
 * ```ts
 * topology.addProcessor('enrich', asyncProcessor({ get: () => new CustomerLookup() }, { concurrency: 100 }), 'in');
 * ```
 */
export function asyncProcessor<KIn, VIn, KOut = never, VOut = never>(
  supplier: AsyncProcessorSupplier<KIn, VIn, KOut, VOut> | (() => AsyncProcessor<KIn, VIn, KOut, VOut>),
  options: AsyncProcessingOptions = {},
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  const resolved = resolveAsyncOptions(options);
  const get = typeof supplier === 'function' ? supplier : supplier?.get?.bind(supplier);
  if (typeof get !== 'function') {
    throw new TopologyError('asyncProcessor needs a supplier: a function or an object with get()');
  }
  const made: ProcessorSupplier<KIn, VIn, KOut, VOut> = {
    get: () => {
      const user = get();
      if (!user || typeof user.process !== 'function') {
        throw new TopologyError('the supplier of an asynchronous processor did not return one (with process())');
      }
      const node = new AsyncProcessorNode(user as AsyncProcessor<unknown, unknown, unknown, unknown>, resolved);
      return node as unknown as Processor<KIn, VIn, KOut, VOut>;
    },
  };
  asyncSuppliers.add(made);
  return made;
}

const asyncSuppliers = new WeakSet<object>();

/** Whether a processor supplier was made by {@link asyncProcessor}. */
export function isAsyncProcessorSupplier(supplier: object): boolean {
  return asyncSuppliers.has(supplier);
}
