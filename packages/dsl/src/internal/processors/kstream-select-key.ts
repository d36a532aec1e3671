import type { Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { KeyValueMapper } from '../../functions.js';
import { ContextualProcessor } from '../contextual-processor.js';

/** `selectKey` and the key selection of `groupBy`: a new key per record, same value. */
export class KStreamSelectKey<K, V, KR> implements ProcessorSupplier<K, V, KR, V> {
  readonly #mapper: KeyValueMapper<K, V, KR>;

  constructor(mapper: KeyValueMapper<K, V, KR>) {
    this.#mapper = mapper;
  }

  get(): Processor<K, V, KR, V> {
    return new KStreamSelectKeyProcessor(this.#mapper);
  }
}

class KStreamSelectKeyProcessor<K, V, KR> extends ContextualProcessor<K, V, KR, V> {
  readonly #mapper: KeyValueMapper<K, V, KR>;

  constructor(mapper: KeyValueMapper<K, V, KR>) {
    super();
    this.#mapper = mapper;
  }

  process(record: Record<K, V>): void {
    this.context.forward(record.withKey(this.#mapper(record.key, record.value)));
  }
}
