import type { Serde } from '@kaskade/processor-api';
import { checkName } from './named.js';

interface GroupedProps<K, V> {
  readonly name?: string | undefined;
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
}

// The settings are internal (stripped from the published declarations), so this phantom member is what keeps
// Grouped<K, V> from accepting another Grouped with unrelated type parameters. Never set at run time.
declare const parameterTypes: unique symbol;

/**
 * How records are grouped: the serdes of the repartition topic (when grouping changes the key) and its name. A named
 * grouping gets the stable topic `<applicationId>-<name>-repartition`; an unnamed one is named after its store.
 *
 * ```ts
 * words.groupBy((_k, word) => word, Grouped.with(Serdes.String(), Serdes.String()).withName('by-word'));
 * ```
 * @see org.apache.kafka.streams.kstream.Grouped
 */
export class Grouped<K, V> {
  declare readonly [parameterTypes]?: [K, V];
  /** @internal */
  readonly name: string | undefined;
  /** @internal */
  readonly keySerde: Serde<K> | undefined;
  /** @internal */
  readonly valueSerde: Serde<V> | undefined;

  private constructor(props: GroupedProps<K, V>) {
    if (props.name !== undefined) checkName(props.name, 'Grouped');
    this.name = props.name;
    this.keySerde = props.keySerde;
    this.valueSerde = props.valueSerde;
    Object.freeze(this);
  }

  static as<K = unknown, V = unknown>(name: string): Grouped<K, V> {
    return new Grouped<K, V>({ name });
  }

  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Grouped<K, V> {
    return new Grouped<K, V>({ keySerde, valueSerde });
  }

  static keySerde<K, V = unknown>(keySerde: Serde<K>): Grouped<K, V> {
    return new Grouped<K, V>({ keySerde });
  }

  static valueSerde<K = unknown, V = unknown>(valueSerde: Serde<V>): Grouped<K, V> {
    return new Grouped<K, V>({ valueSerde });
  }

  withName(name: string): Grouped<K, V> {
    return new Grouped<K, V>({ name, keySerde: this.keySerde, valueSerde: this.valueSerde });
  }

  withKeySerde<KN>(keySerde: Serde<KN>): Grouped<KN, V> {
    return new Grouped<KN, V>({ name: this.name, keySerde, valueSerde: this.valueSerde });
  }

  withValueSerde<VN>(valueSerde: Serde<VN>): Grouped<K, VN> {
    return new Grouped<K, VN>({ name: this.name, keySerde: this.keySerde, valueSerde });
  }
}
