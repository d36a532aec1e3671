import type { Serde, TimestampExtractor } from '@kaskade/processor-api';
import type { OffsetResetPolicy } from '@kaskade/core';
import { checkName } from './named.js';

interface ConsumedProps<K, V> {
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
  readonly timestampExtractor?: TimestampExtractor | undefined;
  readonly offsetResetPolicy?: OffsetResetPolicy | undefined;
  readonly processorName?: string | undefined;
}

// The settings are internal (stripped from the published declarations), so this phantom member is what keeps
// Consumed<K, V> from accepting another Consumed with unrelated type parameters. Never set at run time.
declare const parameterTypes: unique symbol;

/**
 * How a source reads a topic: key and value serdes (default: the application's default serdes), a timestamp
 * extractor, where to start without a committed offset, and the source processor's name.
 *
 * ```ts
 * builder.stream('orders', Consumed.with(Serdes.String(), Serdes.Json<Order>()).withOffsetResetPolicy('earliest'));
 * ```
 * @see org.apache.kafka.streams.kstream.Consumed
 */
export class Consumed<K, V> {
  declare readonly [parameterTypes]?: [K, V];
  /** @internal */
  readonly keySerde: Serde<K> | undefined;
  /** @internal */
  readonly valueSerde: Serde<V> | undefined;
  /** @internal */
  readonly timestampExtractor: TimestampExtractor | undefined;
  /** @internal */
  readonly offsetResetPolicy: OffsetResetPolicy | undefined;
  /** @internal */
  readonly processorName: string | undefined;

  private constructor(props: ConsumedProps<K, V>) {
    if (props.processorName !== undefined) checkName(props.processorName, 'Consumed processor');
    this.keySerde = props.keySerde;
    this.valueSerde = props.valueSerde;
    this.timestampExtractor = props.timestampExtractor;
    this.offsetResetPolicy = props.offsetResetPolicy;
    this.processorName = props.processorName;
    Object.freeze(this);
  }

  /** Reads keys and values with these serdes (undefined: the application default). */
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Consumed<K, V> {
    return new Consumed<K, V>({ keySerde, valueSerde });
  }

  /** Names the source processor. */
  static as<K = unknown, V = unknown>(processorName: string): Consumed<K, V> {
    return new Consumed<K, V>({ processorName });
  }

  static withTimestampExtractor<K = unknown, V = unknown>(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed<K, V>({ timestampExtractor: extractor });
  }

  static withOffsetResetPolicy<K = unknown, V = unknown>(policy: OffsetResetPolicy): Consumed<K, V> {
    return new Consumed<K, V>({ offsetResetPolicy: policy });
  }

  withKeySerde<KN>(keySerde: Serde<KN>): Consumed<KN, V> {
    return new Consumed<KN, V>({ ...this.#props(), keySerde });
  }

  withValueSerde<VN>(valueSerde: Serde<VN>): Consumed<K, VN> {
    return new Consumed<K, VN>({ ...this.#props(), valueSerde });
  }

  withTimestampExtractor(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed<K, V>({ ...this.#props(), timestampExtractor: extractor });
  }

  withOffsetResetPolicy(policy: OffsetResetPolicy): Consumed<K, V> {
    return new Consumed<K, V>({ ...this.#props(), offsetResetPolicy: policy });
  }

  withName(processorName: string): Consumed<K, V> {
    return new Consumed<K, V>({ ...this.#props(), processorName });
  }

  #props(): ConsumedProps<K, V> {
    return {
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      timestampExtractor: this.timestampExtractor,
      offsetResetPolicy: this.offsetResetPolicy,
      processorName: this.processorName,
    };
  }
}
