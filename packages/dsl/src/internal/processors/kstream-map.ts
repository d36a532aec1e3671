import type { KeyValue, Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { KeyValueMapper } from '../../functions.js';
import { ContextualProcessor } from '../contextual-processor.js';

/** `map`: a new key and value per record. */
export class KStreamMap<K, V, KR, VR> implements ProcessorSupplier<K, V, KR, VR> {
  readonly #mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>;

  constructor(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>) {
    this.#mapper = mapper;
  }

  get(): Processor<K, V, KR, VR> {
    return new KStreamMapProcessor(this.#mapper);
  }
}

class KStreamMapProcessor<K, V, KR, VR> extends ContextualProcessor<K, V, KR, VR> {
  readonly #mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>;

  constructor(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>) {
    super();
    this.#mapper = mapper;
  }

  process(record: Record<K, V>): void {
    const pair = this.#mapper(record.key, record.value);
    if (pair == null || typeof pair !== 'object') {
      throw new TypeError(`the mapper of map() must return { key, value }, got ${String(pair)}`);
    }
    this.context.forward(record.withKey(pair.key).withValue(pair.value));
  }
}
