import type { Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { ForeachAction } from '../../functions.js';

/** `foreach`: calls the action; a terminal node that forwards nothing. */
export class KStreamForeach<K, V> implements ProcessorSupplier<K, V> {
  readonly #action: ForeachAction<K, V>;

  constructor(action: ForeachAction<K, V>) {
    this.#action = action;
  }

  get(): Processor<K, V> {
    const action = this.#action;
    return { process: (record: Record<K, V>) => action(record.key, record.value) };
  }
}
