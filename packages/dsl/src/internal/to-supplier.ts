import { TopologyError } from '@kaskade/processor-api';
import type { ProcessorSupplier, ProcessorSupplierLike } from '@kaskade/processor-api';

/** A processor supplier from what `process()`/`processValues()` accept: a supplier, or a function making processors. */
export function toSupplier<KIn, VIn, KOut, VOut>(
  supplier: ProcessorSupplierLike<KIn, VIn, KOut, VOut>,
  operation: string,
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  if (typeof supplier === 'function') return { get: supplier };
  if (supplier && typeof supplier.get === 'function') return supplier;
  throw new TopologyError(`${operation}: needs a processor supplier (an object with get(), or a function)`);
}
