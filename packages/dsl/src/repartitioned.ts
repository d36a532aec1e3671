import type { Serde } from '@kaskade/processor-api';
import { TopologyError } from '@kaskade/processor-api';
import type { StreamPartitioner } from '@kaskade/core';
import { checkName } from './named.js';

interface RepartitionedProps<K, V> {
  readonly name?: string | undefined;
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
  readonly numberOfPartitions?: number | undefined;
  readonly partitioner?: StreamPartitioner<K, V> | undefined;
}

// The settings are internal (stripped from the published declarations), so this phantom member is what keeps
// Repartitioned<K, V> from accepting another Repartitioned with unrelated type parameters. Never set at run time.
declare const parameterTypes: unique symbol;

/**
 * Options of `KStream.repartition()`: the topic's name (`<applicationId>-<name>-repartition`), serdes, partition
 * count (default: that of the sub-topology writing it) and partitioner.
 *
 * ```ts
 * stream.repartition(Repartitioned.as('by-user').withNumberOfPartitions(12));
 * ```
 * @see org.apache.kafka.streams.kstream.Repartitioned
 */
export class Repartitioned<K, V> {
  declare readonly [parameterTypes]?: [K, V];
  /** @internal */
  readonly name: string | undefined;
  /** @internal */
  readonly keySerde: Serde<K> | undefined;
  /** @internal */
  readonly valueSerde: Serde<V> | undefined;
  /** @internal */
  readonly numberOfPartitions: number | undefined;
  /** @internal */
  readonly partitioner: StreamPartitioner<K, V> | undefined;

  private constructor(props: RepartitionedProps<K, V>) {
    if (props.name !== undefined) checkName(props.name, 'Repartitioned');
    const n = props.numberOfPartitions;
    if (n !== undefined && !(Number.isSafeInteger(n) && n >= 1)) {
      throw new TopologyError(`Repartitioned number of partitions must be an integer >= 1, got ${n}`);
    }
    this.name = props.name;
    this.keySerde = props.keySerde;
    this.valueSerde = props.valueSerde;
    this.numberOfPartitions = props.numberOfPartitions;
    this.partitioner = props.partitioner;
    Object.freeze(this);
  }

  static as<K = unknown, V = unknown>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ name });
  }

  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ keySerde, valueSerde });
  }

  static numberOfPartitions<K = unknown, V = unknown>(n: number): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ numberOfPartitions: n });
  }

  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ partitioner });
  }

  withName(name: string): Repartitioned<K, V> {
    return new Repartitioned({ ...this.#props(), name });
  }

  withKeySerde(keySerde: Serde<K>): Repartitioned<K, V> {
    return new Repartitioned({ ...this.#props(), keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned({ ...this.#props(), valueSerde });
  }

  withNumberOfPartitions(n: number): Repartitioned<K, V> {
    return new Repartitioned({ ...this.#props(), numberOfPartitions: n });
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned({ ...this.#props(), partitioner });
  }

  #props(): RepartitionedProps<K, V> {
    return {
      name: this.name,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      numberOfPartitions: this.numberOfPartitions,
      partitioner: this.partitioner,
    };
  }
}
