import { TopologyError } from '@kaskade/processor-api';
import type { Serde } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import type { StreamPartitioner } from '@kaskade/core';
import { Materialized } from '../../materialized.js';
import { KTableSource } from '../processors/ktable-source.js';
import { SourceTableMaterialization } from '../source-table-materialization.js';
import { addTimestampedKeyValueStore } from '../store-factory.js';
import type { TableProps } from '../stream-props.js';
import { CombinedKeySchema } from './combined-key.js';
import { ForeignTableJoin } from './foreign-table-join-processor.js';
import { ResponseJoin } from './response-join-processor.js';
import type { ForeignKeyJoiner } from './response-join-processor.js';
import { ResponseWrapperSerde } from './response-wrapper.js';
import type { ResponseWrapper } from './response-wrapper.js';
import { SubscriptionJoin } from './subscription-join-processor.js';
import { SubscriptionReceive } from './subscription-receive-processor.js';
import { SubscriptionSend } from './subscription-send-processor.js';
import type { ForeignKeyExtractor } from './subscription-send-processor.js';
import { SubscriptionWrapperSerde } from './subscription-wrapper.js';

/** What `KTable.join(other, foreignKeyExtractor, joiner)` builds on: both tables, the functions and the options. */
export interface ForeignKeyJoinArgs<K, V, KO, VO, VR> {
  readonly left: TableProps<K, V>;
  readonly right: TableProps<KO, VO>;
  readonly extractor: ForeignKeyExtractor<V, KO>;
  readonly joiner: ForeignKeyJoiner<V, VO, VR>;
  readonly leftJoin: boolean;
  readonly materialized: Materialized<K, VR> | undefined;
  /** For error messages: `join` or `leftJoin`. */
  readonly operation: string;
}

/**
 * Wires a foreign-key join (KIP-213) with Kafka Streams' nodes and names: the left table subscribes each primary key
 * to its foreign key through a subscription topic partitioned like the right table; the right side keeps the
 * subscriptions in a store keyed by (foreign key, primary key) and answers, on subscription and on every right-side
 * update, through a response topic partitioned like the left table; the left side drops stale answers and joins.
 * Returns the output node's props; the caller wraps them in a KTable.
 *
 * @see org.apache.kafka.streams.kstream.internals.KTableImpl#doJoinOnForeignKey
 */
export function foreignKeyJoin<K, V, KO, VO, VR>(args: ForeignKeyJoinArgs<K, V, KO, VO, VR>): TableProps<K, VR> {
  const { left: p, right: o, materialized, operation } = args;
  const builder = p.builder;
  if (typeof args.extractor !== 'function') {
    throw new TopologyError(`${operation}: needs a foreign key extractor function`);
  }
  if (materialized !== undefined && !(materialized instanceof Materialized)) {
    throw new TopologyError(`${operation}: the foreign-key join's fourth argument must be a Materialized`);
  }
  if (o.builder !== builder)
    throw new TopologyError(`${operation}: both tables must come from the same StreamsBuilder`);
  // The send processor compares old and new foreign keys: the left table must forward old values.
  p.oldValues?.enableSendingOldValues(true);
  const primaryKeySerde = (p.keySerde ?? builder.defaultSerde('key')) as Serde<K>;
  const valueSerde = (p.valueSerde ?? builder.defaultSerde('value')) as Serde<V>;
  const foreignKeySerde = (o.keySerde ?? builder.defaultSerde('key')) as Serde<KO>;
  const foreignValueSerde = (o.valueSerde ?? builder.defaultSerde('value')) as Serde<VO>;

  const subscriptionTopic = `${builder.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-')}-topic`;
  const sendName = builder.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-');
  builder.addProcessor(
    sendName,
    new SubscriptionSend<K, V, KO>(args.extractor, foreignKeySerde, valueSerde, subscriptionTopic, args.leftJoin),
    [p.name],
  );
  const subscriptionSerde = new SubscriptionWrapperSerde<K>(primaryKeySerde);
  // Keyed by foreign key with the right table's key serde and the default partitioner: co-partitioned with it.
  const subscriptionSource = internalTopic(builder, subscriptionTopic, [sendName], foreignKeySerde, subscriptionSerde);

  const storeName = builder.newStoreName('KTABLE-FK-JOIN-SUBSCRIPTION-');
  addTimestampedKeyValueStore(builder, storeName, undefined, Serdes.Bytes() as Serde<unknown>, subscriptionSerde);
  const keySchema = new CombinedKeySchema<KO, K>(foreignKeySerde, primaryKeySerde, subscriptionTopic);
  const receiveName = builder.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  builder.addProcessor(
    receiveName,
    new SubscriptionReceive<KO, K>(storeName, keySchema),
    [subscriptionSource],
    [storeName],
  );
  const joinName = builder.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  builder.addProcessor(
    joinName,
    new SubscriptionJoin<KO, K, VO>(o.valueGetter),
    [receiveName],
    o.valueGetter.storeNames,
  );
  const foreignName = builder.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  builder.addProcessor(foreignName, new ForeignTableJoin<KO, K, VO>(storeName, keySchema), [o.name], [storeName]);

  const responseTopic = `${builder.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-')}-topic`;
  // Answers go back to the partition the left row was read from (the response topic is co-partitioned with it).
  const toPrimaryPartition: StreamPartitioner<K, ResponseWrapper<VO>> = (_topic, _key, value, n) =>
    value.primaryPartition >= 0 && value.primaryPartition < n ? value.primaryPartition : undefined;
  const responseSource = internalTopic(
    builder,
    responseTopic,
    [joinName, foreignName],
    primaryKeySerde,
    new ResponseWrapperSerde<VO>(foreignValueSerde),
    toPrimaryPartition,
  );
  const resolverName = builder.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-');
  builder.addProcessor(
    resolverName,
    new ResponseJoin<K, V, VO, VR>(p.valueGetter, valueSerde, subscriptionTopic, args.joiner, args.leftJoin),
    [responseSource],
    p.valueGetter.storeNames,
  );

  const outputName = builder.newProcessorName('KTABLE-FK-JOIN-OUTPUT-');
  const outputStore = materialized?.storeName ?? builder.newStoreName('KTABLE-FK-JOIN-OUTPUT-');
  const keySerde = materialized?.keySerde ?? p.keySerde;
  const resultSerde = materialized?.valueSerde;
  addTimestampedKeyValueStore(
    builder,
    outputStore,
    materialized as Materialized<unknown, unknown> | undefined,
    (keySerde ?? builder.defaultSerde('key')) as Serde<unknown>,
    (resultSerde ?? builder.defaultSerde('value')) as Serde<unknown>,
  );
  const materialization = new SourceTableMaterialization(outputStore, materialized !== undefined);
  builder.addProcessor(outputName, new KTableSource<K, VR>(materialization), [resolverName], [], () =>
    materialization.storeNames(),
  );
  return {
    builder,
    name: outputName,
    keySerde,
    valueSerde: resultSerde,
    valueGetter: materialization.valueGetter<K, VR>(),
    storeName: materialized === undefined ? undefined : outputStore,
    window: undefined,
    oldValues: materialization,
  };
}

/** A sink writing `topic` from `parents` and the source reading it back, named as Kafka Streams' FK join names them. */
function internalTopic<K, V>(
  builder: TableProps<unknown, unknown>['builder'],
  topic: string,
  parents: readonly string[],
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  partitioner?: StreamPartitioner<K, V>,
): string {
  const sinkName = builder.newProcessorName('KTABLE-SINK-');
  const sourceName = builder.newProcessorName('KTABLE-SOURCE-');
  builder.addInternalTopic(topic);
  builder.addSink({
    name: sinkName,
    parentNames: parents,
    topic,
    keySerde: keySerde as Serde<unknown>,
    valueSerde: valueSerde as Serde<unknown>,
    partitioner: partitioner as StreamPartitioner<unknown, unknown> | undefined,
  });
  builder.addSource({
    name: sourceName,
    topics: [topic],
    keySerde: keySerde as Serde<unknown>,
    valueSerde: valueSerde as Serde<unknown>,
    timestampExtractor: undefined,
    offsetReset: undefined,
  });
  return sourceName;
}
