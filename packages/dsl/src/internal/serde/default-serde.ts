import { IllegalStateError } from '@kaskade/processor-api';
import type { Headers, Serde } from '@kaskade/processor-api';

/**
 * Stands in for the application's default key or value serde where the DSL builds a store or an internal serde
 * and no serde was given or inherited. Stores need their serdes when they are built, but the defaults are only known
 * when the application starts: the DSL's processors bind these placeholders to `appConfigs().defaultKeySerde` /
 * `defaultValueSerde` in their `init`, before any record is processed. (Sources and sinks need no placeholder: the
 * runtime applies the defaults itself.)
 */
export class DefaultSerde<T> implements Serde<T> {
  readonly which: 'key' | 'value';
  #target: Serde<T> | undefined;

  constructor(which: 'key' | 'value') {
    this.which = which;
  }

  bind(appConfigs: Readonly<{ [key: string]: unknown }>): void {
    if (this.#target !== undefined) return;
    const serde = appConfigs[this.which === 'key' ? 'defaultKeySerde' : 'defaultValueSerde'] as Serde<T> | undefined;
    if (serde && typeof serde.serialize === 'function') this.#target = serde;
  }

  serialize(topic: string, data: T, headers?: Headers): Buffer {
    return this.#resolve().serialize(topic, data, headers);
  }

  deserialize(topic: string, data: Buffer, headers?: Headers): T {
    return this.#resolve().deserialize(topic, data, headers);
  }

  #resolve(): Serde<T> {
    const target = this.#target;
    if (target === undefined) {
      throw new IllegalStateError(
        `no ${this.which} serde: the DSL could not infer one and the application's default${this.which === 'key' ? 'Key' : 'Value'}Serde is not available yet; give serdes with Consumed/Grouped/Materialized`,
      );
    }
    return target;
  }
}
