import type { Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { KeyValueMapper } from '../../functions.js';
import type { Change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';

/**
 * `KTable.toStream`: the table's changelog as a stream of new values (a deleted key becomes a record with a null
 * value), optionally with a new key.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableImpl#toStream
 */
export class KTableToStream<K, V, KR> implements ProcessorSupplier<K, Change<V>, KR, V | null> {
  readonly #keyMapper: KeyValueMapper<K, V | null, KR> | undefined;

  constructor(keyMapper: KeyValueMapper<K, V | null, KR> | undefined) {
    this.#keyMapper = keyMapper;
  }

  get(): Processor<K, Change<V>, KR, V | null> {
    return new KTableToStreamProcessor(this.#keyMapper);
  }
}

class KTableToStreamProcessor<K, V, KR> extends ContextualProcessor<K, Change<V>, KR, V | null> {
  readonly #keyMapper: KeyValueMapper<K, V | null, KR> | undefined;

  constructor(keyMapper: KeyValueMapper<K, V | null, KR> | undefined) {
    super();
    this.#keyMapper = keyMapper;
  }

  process(record: Record<K, Change<V>>): void {
    const value = record.value.newValue;
    const mapper = this.#keyMapper;
    const out = record.withValue(value);
    this.context.forward(
      mapper === undefined ? (out as unknown as Record<KR, V | null>) : out.withKey(mapper(record.key, value)),
    );
  }
}
