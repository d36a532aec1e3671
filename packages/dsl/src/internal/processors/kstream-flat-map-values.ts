import type { Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { ValueMapper } from '../../functions.js';
import { ContextualProcessor } from '../contextual-processor.js';

/** `flatMapValues`: zero or more new values per record, same key. */
export class KStreamFlatMapValues<K, V, VR> implements ProcessorSupplier<K, V, K, VR> {
  readonly #mapper: ValueMapper<V, Iterable<VR>, K>;

  constructor(mapper: ValueMapper<V, Iterable<VR>, K>) {
    this.#mapper = mapper;
  }

  get(): Processor<K, V, K, VR> {
    return new KStreamFlatMapValuesProcessor(this.#mapper);
  }
}

class KStreamFlatMapValuesProcessor<K, V, VR> extends ContextualProcessor<K, V, K, VR> {
  readonly #mapper: ValueMapper<V, Iterable<VR>, K>;

  constructor(mapper: ValueMapper<V, Iterable<VR>, K>) {
    super();
    this.#mapper = mapper;
  }

  process(record: Record<K, V>): void {
    for (const value of this.#mapper(record.value, record.key)) this.context.forward(record.withValue(value));
  }
}
