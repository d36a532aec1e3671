import type { Serde } from '@kaskade/processor-api';
import type { SinkTopicConfig, StreamPartitioner } from '@kaskade/core';
import { checkName } from './named.js';

/**
 * A `StreamPartitioner` with bivariant parameters (method syntax): a `Produced<K, V>` then also fits a stream whose
 * values may be null, as the stream of a table's updates is (`KTable.toStream(): KStream<K, V | null>`).
 */
type Partitioner<K, V> = {
  bivariant(topic: string, key: K, value: V, numPartitions: number): number | undefined;
}['bivariant'];

interface ProducedProps<K, V> {
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
  readonly partitioner?: Partitioner<K, V> | undefined;
  readonly processorName?: string | undefined;
  readonly topicConfig?: SinkTopicConfig | undefined;
}

// The settings are internal (stripped from the published declarations), so this phantom member is what keeps
// Produced<K, V> from accepting another Produced with unrelated type parameters. Never set at run time.
declare const parameterTypes: unique symbol;

/**
 * How a sink writes a topic: key and value serdes (default: the application's default serdes), a partitioner
 * (default: murmur2 of the serialized key, as Kafka's producer), and the sink processor's name.
 *
 * ```ts
 * stream.to('totals', Produced.with(Serdes.String(), Serdes.Int64()));
 * ```
 * @see org.apache.kafka.streams.kstream.Produced
 */
export class Produced<K, V> {
  declare readonly [parameterTypes]?: [K, V];
  /** @internal */
  readonly keySerde: Serde<K> | undefined;
  /** @internal */
  readonly valueSerde: Serde<V> | undefined;
  /** @internal */
  readonly partitioner: Partitioner<K, V> | undefined;
  /** @internal */
  readonly processorName: string | undefined;
  /** @internal */
  readonly topicConfig: SinkTopicConfig | undefined;

  private constructor(props: ProducedProps<K, V>) {
    if (props.processorName !== undefined) checkName(props.processorName, 'Produced processor');
    this.keySerde = props.keySerde;
    this.valueSerde = props.valueSerde;
    this.partitioner = props.partitioner;
    this.processorName = props.processorName;
    this.topicConfig = props.topicConfig === undefined ? undefined : Object.freeze({ ...props.topicConfig });
    Object.freeze(this);
  }

  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>, partitioner?: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced<K, V>({ keySerde, valueSerde, partitioner });
  }

  static keySerde<K, V = unknown>(keySerde: Serde<K>): Produced<K, V> {
    return new Produced<K, V>({ keySerde });
  }

  static valueSerde<K = unknown, V = unknown>(valueSerde: Serde<V>): Produced<K, V> {
    return new Produced<K, V>({ valueSerde });
  }

  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced<K, V>({ partitioner });
  }

  /** Names the sink processor. */
  static as<K = unknown, V = unknown>(processorName: string): Produced<K, V> {
    return new Produced<K, V>({ processorName });
  }

  withKeySerde<KN>(keySerde: Serde<KN>): Produced<KN, V> {
    return new Produced<KN, V>({ ...this.#props(), keySerde } as unknown as ProducedProps<KN, V>);
  }

  withValueSerde<VN>(valueSerde: Serde<VN>): Produced<K, VN> {
    return new Produced<K, VN>({ ...this.#props(), valueSerde } as unknown as ProducedProps<K, VN>);
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced<K, V>({ ...this.#props(), partitioner });
  }

  withName(processorName: string): Produced<K, V> {
    return new Produced<K, V>({ ...this.#props(), processorName });
  }

  /**
   * Makes the output topic managed: created at start with these partitions, replication factor and configs when it
   * does not exist (Kafka Streams would refuse to start), and checked when it does — a different partition count or
   * config fails the start with an error naming each difference.
   *
   * ```ts
   * stream.to('alerts', Produced.with(S, S).withTopicConfig({ partitions: 3, configs: { 'retention.ms': '86400000' } }));
   * ```
   */
  withTopicConfig(topicConfig: SinkTopicConfig): Produced<K, V> {
    return new Produced<K, V>({ ...this.#props(), topicConfig });
  }

  #props(): ProducedProps<K, V> {
    return {
      topicConfig: this.topicConfig,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      partitioner: this.partitioner,
      processorName: this.processorName,
    };
  }
}
