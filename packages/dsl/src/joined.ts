import { TopologyError } from '@kaskade/processor-api';
import type { Serde } from '@kaskade/processor-api';
import { checkName } from './named.js';

interface JoinedProps<K, V, VO> {
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
  readonly otherValueSerde?: Serde<VO> | undefined;
  readonly name?: string | undefined;
  readonly gracePeriodMs?: number | undefined;
}

// The settings are internal (stripped from the published declarations), so this phantom member is what keeps
// Joined<K, V, VO> from accepting another Joined with unrelated type parameters. Never set at run time.
declare const parameterTypes: unique symbol;

/**
 * Options of a stream-table join: the serdes of the stream side's repartition topic (when the stream's key was
 * changed before the join) and the join processor's name.
 *
 * ```ts
 * clicks.join(users, (click, user) => ({ ...click, user }), Joined.with(Serdes.String(), clickSerde, userSerde));
 * ```
 * @see org.apache.kafka.streams.kstream.Joined
 */
export class Joined<K, V, VO> {
  declare readonly [parameterTypes]?: [K, V, VO];
  /** @internal */
  readonly keySerde: Serde<K> | undefined;
  /** @internal */
  readonly valueSerde: Serde<V> | undefined;
  /** @internal */
  readonly otherValueSerde: Serde<VO> | undefined;
  /** @internal */
  readonly name: string | undefined;
  /** Stream records wait this long (stream time) before joining a versioned table; undefined: join at once. */
  readonly gracePeriodMs: number | undefined;

  private constructor(props: JoinedProps<K, V, VO>) {
    if (props.name !== undefined) checkName(props.name, 'Joined');
    this.keySerde = props.keySerde;
    this.valueSerde = props.valueSerde;
    this.otherValueSerde = props.otherValueSerde;
    this.name = props.name;
    this.gracePeriodMs = props.gracePeriodMs;
    Object.freeze(this);
  }

  static with<K, V, VO>(keySerde?: Serde<K>, valueSerde?: Serde<V>, otherValueSerde?: Serde<VO>): Joined<K, V, VO> {
    return new Joined<K, V, VO>({ keySerde, valueSerde, otherValueSerde });
  }

  static as<K = unknown, V = unknown, VO = unknown>(name: string): Joined<K, V, VO> {
    return new Joined<K, V, VO>({ name });
  }

  withKeySerde(keySerde: Serde<K>): Joined<K, V, VO> {
    return new Joined({ ...this.#props(), keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): Joined<K, V, VO> {
    return new Joined({ ...this.#props(), valueSerde });
  }

  withOtherValueSerde(otherValueSerde: Serde<VO>): Joined<K, V, VO> {
    return new Joined({ ...this.#props(), otherValueSerde });
  }

  /**
   * Joins each stream record only once stream time has passed its timestamp + `gracePeriodMs`, with the version of
   * the (versioned) table valid at its timestamp, so table updates up to that late are seen (KIP-914).
   */
  withGracePeriod(gracePeriodMs: number): Joined<K, V, VO> {
    if (!Number.isSafeInteger(gracePeriodMs) || gracePeriodMs < 0) {
      throw new TopologyError(`Joined.withGracePeriod needs an integer >= 0 (ms), got ${String(gracePeriodMs)}`);
    }
    return new Joined({ ...this.#props(), gracePeriodMs });
  }

  withName(name: string): Joined<K, V, VO> {
    return new Joined({ ...this.#props(), name });
  }

  #props(): JoinedProps<K, V, VO> {
    return {
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      otherValueSerde: this.otherValueSerde,
      name: this.name,
      gracePeriodMs: this.gracePeriodMs,
    };
  }
}
