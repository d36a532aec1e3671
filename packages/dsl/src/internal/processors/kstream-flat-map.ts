import type { KeyValue, Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { KeyValueMapper } from '../../functions.js';
import { ContextualProcessor } from '../contextual-processor.js';

/** `flatMap`: zero or more new records (key and value) per record, all with the input's timestamp and headers. */
export class KStreamFlatMap<K, V, KR, VR> implements ProcessorSupplier<K, V, KR, VR> {
  readonly #mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>;

  constructor(mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>) {
    this.#mapper = mapper;
  }

  get(): Processor<K, V, KR, VR> {
    return new KStreamFlatMapProcessor(this.#mapper);
  }
}

class KStreamFlatMapProcessor<K, V, KR, VR> extends ContextualProcessor<K, V, KR, VR> {
  readonly #mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>;

  constructor(mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>) {
    super();
    this.#mapper = mapper;
  }

  process(record: Record<K, V>): void {
    for (const pair of this.#mapper(record.key, record.value)) {
      this.context.forward(record.withKey(pair.key).withValue(pair.value));
    }
  }
}
