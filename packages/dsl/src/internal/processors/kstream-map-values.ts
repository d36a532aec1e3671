import type { Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { ValueMapper } from '../../functions.js';
import { ContextualProcessor } from '../contextual-processor.js';

/** `mapValues`: a new value per record, same key. */
export class KStreamMapValues<K, V, VR> implements ProcessorSupplier<K, V, K, VR> {
  readonly #mapper: ValueMapper<V, VR, K>;

  constructor(mapper: ValueMapper<V, VR, K>) {
    this.#mapper = mapper;
  }

  get(): Processor<K, V, K, VR> {
    return new KStreamMapValuesProcessor(this.#mapper);
  }
}

class KStreamMapValuesProcessor<K, V, VR> extends ContextualProcessor<K, V, K, VR> {
  readonly #mapper: ValueMapper<V, VR, K>;

  constructor(mapper: ValueMapper<V, VR, K>) {
    super();
    this.#mapper = mapper;
  }

  process(record: Record<K, V>): void {
    this.context.forward(record.withValue(this.#mapper(record.value, record.key)));
  }
}
