import type { Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import { ContextualProcessor } from '../contextual-processor.js';

/** Forwards every record unchanged: the node behind `merge` and each branch of `split`. */
export class KStreamPassThrough<K, V> implements ProcessorSupplier<K, V, K, V> {
  get(): Processor<K, V, K, V> {
    return new KStreamPassThroughProcessor<K, V>();
  }
}

class KStreamPassThroughProcessor<K, V> extends ContextualProcessor<K, V, K, V> {
  process(record: Record<K, V>): void {
    this.context.forward(record);
  }
}
