import type { Serde } from '@kaskade/processor-api';
import { checkName } from './named.js';
import type { MaterializedStoreType } from './materialized.js';

interface StreamJoinedProps<K, V, VO> {
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
  readonly otherValueSerde?: Serde<VO> | undefined;
  readonly name?: string | undefined;
  readonly storeName?: string | undefined;
  readonly storeType?: MaterializedStoreType | undefined;
  readonly loggingEnabled: boolean;
  readonly logConfig: Readonly<{ [key: string]: string }>;
}

// The settings are internal (stripped from the published declarations), so this phantom member is what keeps
// StreamJoined<K, V, VO> from accepting another StreamJoined with unrelated type parameters. Never set at run time.
declare const parameterTypes: unique symbol;

/**
 * Options of a stream-stream join: the serdes of both join buffers (window stores) and repartition topics, the
 * processor name prefix, the store name prefix (stores become `<storeName>-this-join-store`,
 * `<storeName>-other-join-store`, ...), the store type and logging.
 *
 * ```ts
 * left.join(right, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(5000),
 *   StreamJoined.with(Serdes.String(), Serdes.Json(), Serdes.Json()).withStoreName('orders-payments'));
 * ```
 * @see org.apache.kafka.streams.kstream.StreamJoined
 */
export class StreamJoined<K, V, VO> {
  declare readonly [parameterTypes]?: [K, V, VO];
  /** @internal */
  readonly keySerde: Serde<K> | undefined;
  /** @internal */
  readonly valueSerde: Serde<V> | undefined;
  /** @internal */
  readonly otherValueSerde: Serde<VO> | undefined;
  /** @internal */
  readonly name: string | undefined;
  /** @internal */
  readonly storeName: string | undefined;
  /** @internal */
  readonly storeType: MaterializedStoreType | undefined;
  /** @internal */
  readonly loggingEnabled: boolean;
  /** @internal */
  readonly logConfig: Readonly<{ [key: string]: string }>;

  private constructor(props: StreamJoinedProps<K, V, VO>) {
    if (props.name !== undefined) checkName(props.name, 'StreamJoined processor');
    if (props.storeName !== undefined) checkName(props.storeName, 'StreamJoined store');
    this.keySerde = props.keySerde;
    this.valueSerde = props.valueSerde;
    this.otherValueSerde = props.otherValueSerde;
    this.name = props.name;
    this.storeName = props.storeName;
    this.storeType = props.storeType;
    this.loggingEnabled = props.loggingEnabled;
    this.logConfig = props.logConfig;
    Object.freeze(this);
  }

  static with<K, V, VO>(
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
    otherValueSerde?: Serde<VO>,
  ): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>({ keySerde, valueSerde, otherValueSerde, loggingEnabled: true, logConfig: {} });
  }

  /** Names the join's stores after `storeName`. */
  static as<K = unknown, V = unknown, VO = unknown>(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>({ storeName, loggingEnabled: true, logConfig: {} });
  }

  withKeySerde(keySerde: Serde<K>): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.#props(), keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.#props(), valueSerde });
  }

  withOtherValueSerde(otherValueSerde: Serde<VO>): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.#props(), otherValueSerde });
  }

  /** Prefix of the join's processor names. */
  withName(name: string): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.#props(), name });
  }

  withStoreName(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.#props(), storeName });
  }

  withStoreType(storeType: MaterializedStoreType): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.#props(), storeType });
  }

  withLoggingEnabled(config: { [key: string]: string } = {}): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.#props(), loggingEnabled: true, logConfig: Object.freeze({ ...config }) });
  }

  withLoggingDisabled(): StreamJoined<K, V, VO> {
    return new StreamJoined({ ...this.#props(), loggingEnabled: false, logConfig: {} });
  }

  #props(): StreamJoinedProps<K, V, VO> {
    return {
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      otherValueSerde: this.otherValueSerde,
      name: this.name,
      storeName: this.storeName,
      storeType: this.storeType,
      loggingEnabled: this.loggingEnabled,
      logConfig: this.logConfig,
    };
  }
}
