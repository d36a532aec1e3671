import type { Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import { ContextualProcessor } from '../contextual-processor.js';

/**
 * Drops records with a null key before a repartition topic (they cannot be partitioned by key, and the stateful
 * operation behind the topic would drop them anyway), counting each as `null-key`.
 */
export class KStreamDropNullKeys<K, V> implements ProcessorSupplier<K, V, K, V> {
  get(): Processor<K, V, K, V> {
    return new KStreamDropNullKeysProcessor<K, V>();
  }
}

class KStreamDropNullKeysProcessor<K, V> extends ContextualProcessor<K, V, K, V> {
  process(record: Record<K, V>): void {
    if (record.key == null) {
      this.context.recordDropped('null-key');
      return;
    }
    this.context.forward(record);
  }
}
