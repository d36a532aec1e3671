import type { KeyValue, Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { KeyValueMapper } from '../../functions.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';

/**
 * `KTable.groupBy`: maps the old and the new value of each update to a (new key, new value) pair. When both map to
 * the same key, one update (new, old) is forwarded; otherwise the old pair is retracted under its key (new null) and
 * the new pair added under its own, old first — each may go to a different partition. Pairs with a null key are
 * dropped and counted as `null-key`.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableRepartitionMap
 */
export class KTableRepartitionMap<K, V, KR, VR> implements ProcessorSupplier<K, Change<V>, KR, Change<VR>> {
  readonly #selector: KeyValueMapper<K, V, KeyValue<KR, VR>>;

  constructor(selector: KeyValueMapper<K, V, KeyValue<KR, VR>>) {
    this.#selector = selector;
  }

  get(): Processor<K, Change<V>, KR, Change<VR>> {
    return new KTableRepartitionMapProcessor(this.#selector);
  }
}

class KTableRepartitionMapProcessor<K, V, KR, VR> extends ContextualProcessor<K, Change<V>, KR, Change<VR>> {
  readonly #selector: KeyValueMapper<K, V, KeyValue<KR, VR>>;

  constructor(selector: KeyValueMapper<K, V, KeyValue<KR, VR>>) {
    super();
    this.#selector = selector;
  }

  process(record: Record<K, Change<V>>): void {
    const { newValue, oldValue } = record.value;
    const newPair = newValue === null ? undefined : this.#select(record.key, newValue);
    const oldPair = oldValue === null ? undefined : this.#select(record.key, oldValue);
    if (newPair !== undefined && oldPair !== undefined && Object.is(newPair.key, oldPair.key)) {
      this.context.forward(record.withKey(newPair.key).withValue(change(newPair.value, oldPair.value)));
      return;
    }
    if (oldPair !== undefined) {
      this.context.forward(record.withKey(oldPair.key).withValue(change<VR>(null, oldPair.value)));
    }
    if (newPair !== undefined) {
      this.context.forward(record.withKey(newPair.key).withValue(change<VR>(newPair.value, null)));
    }
  }

  #select(key: K, value: V): KeyValue<KR, VR> | undefined {
    const pair = this.#selector(key, value);
    if (pair == null || typeof pair !== 'object') {
      throw new TypeError(`the selector of KTable.groupBy() must return { key, value }, got ${String(pair)}`);
    }
    if (pair.key == null) {
      this.context.recordDropped('null-key');
      return undefined;
    }
    if (pair.value == null) {
      this.context.recordDropped('null-value');
      return undefined;
    }
    return pair;
  }
}
