import type { Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { ForeachAction } from '../../functions.js';
import { ContextualProcessor } from '../contextual-processor.js';

/** `peek`: calls the action, then forwards the record unchanged. */
export class KStreamPeek<K, V> implements ProcessorSupplier<K, V, K, V> {
  readonly #action: ForeachAction<K, V>;

  constructor(action: ForeachAction<K, V>) {
    this.#action = action;
  }

  get(): Processor<K, V, K, V> {
    return new KStreamPeekProcessor(this.#action);
  }
}

class KStreamPeekProcessor<K, V> extends ContextualProcessor<K, V, K, V> {
  readonly #action: ForeachAction<K, V>;

  constructor(action: ForeachAction<K, V>) {
    super();
    this.#action = action;
  }

  process(record: Record<K, V>): void {
    this.#action(record.key, record.value);
    this.context.forward(record);
  }
}
