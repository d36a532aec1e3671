import type { Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { Predicate } from '../../functions.js';
import { ContextualProcessor } from '../contextual-processor.js';

/** `filter` / `filterNot`: forwards the records for which the predicate is true (false for filterNot). */
export class KStreamFilter<K, V> implements ProcessorSupplier<K, V, K, V> {
  readonly #predicate: Predicate<K, V>;
  readonly #filterNot: boolean;

  constructor(predicate: Predicate<K, V>, filterNot: boolean) {
    this.#predicate = predicate;
    this.#filterNot = filterNot;
  }

  get(): Processor<K, V, K, V> {
    return new KStreamFilterProcessor(this.#predicate, this.#filterNot);
  }
}

class KStreamFilterProcessor<K, V> extends ContextualProcessor<K, V, K, V> {
  readonly #predicate: Predicate<K, V>;
  readonly #filterNot: boolean;

  constructor(predicate: Predicate<K, V>, filterNot: boolean) {
    super();
    this.#predicate = predicate;
    this.#filterNot = filterNot;
  }

  process(record: Record<K, V>): void {
    if (this.#predicate(record.key, record.value) !== this.#filterNot) this.context.forward(record);
  }
}
