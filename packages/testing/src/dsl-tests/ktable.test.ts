import { afterEach, describe, expect, it } from 'vitest';
import type { ValueAndTimestamp } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import { Consumed, Grouped, Materialized, Named, Produced, StreamsBuilder } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { L, S } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

const I = Serdes.Int32();

/** `key=value@timestamp` of each record. */
function read<K, V>(
  d: TopologyTestDriver,
  topic: string,
  k: typeof S | typeof I,
  v: typeof S | typeof I | typeof L,
): string[] {
  return d
    .createOutputTopic(topic, k as never, v as never)
    .readRecordsToList()
    .map((r) => `${String(r.key as K)}=${String(r.value as V)}@${r.timestamp}`);
}

describe('KTable', () => {
  it('should upsert and delete by key, forwarding every update, and keep the latest value per key in its store', () => {
    const builder = new StreamsBuilder();
    // Queryable (Materialized.as), so materialized: a table nothing reads keeps no store, as in Kafka Streams.
    builder.table('in', Consumed.with(S, S), Materialized.as('in-store')).toStream().to('out', Produced.with(S, S));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'v1', 1);
    input.pipeInput('k', 'v2', 2);
    input.pipeInput('j', 'w', 3);
    input.pipeInput('k', null, 4);
    input.pipeInput(null, 'no key', 5);
    expect(read(driver, 'out', S, S)).toEqual(['k=v1@1', 'k=v2@2', 'j=w@3', 'k=null@4']);
    const store = driver.getKeyValueStore<string, ValueAndTimestamp<string>>('in-store')!;
    expect(store.get('k')).toBeUndefined();
    expect(store.get('j')).toEqual({ value: 'w', timestamp: 3 });
    expect(driver.metrics().droppedByReason).toEqual({ 'null-key': 1 });
  });

  it('should name the table source and store as Kafka Streams does, or after Materialized.as', () => {
    const b1 = new StreamsBuilder();
    // Not queryable without Materialized.as: Kafka Streams' queryableStoreName() is null then.
    expect(b1.table('in').queryableStoreName()).toBeUndefined();
    expect(b1.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [in])',
        '      --> KTABLE-SOURCE-0000000002',
        // The store's name takes counter value 0, but nothing needs the store: Kafka Streams lists none.
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000001',
        '',
        '',
      ].join('\n'),
    );
    const b2 = new StreamsBuilder();
    const table = b2.table('in', Consumed.as('users'), Materialized.as('users-store'));
    expect(table.queryableStoreName()).toBe('users-store');
    // A named table's processor takes the name, its source `<name>-source` (InternalStreamsBuilder.table).
    expect(b2.build().describe().toString()).toContain('Source: users-source (topics: [in])');
    expect(b2.build().describe().toString()).toContain('Processor: users (stores: [users-store])');
  });

  // Mirrors KTableFilter.KTableFilterProcessor.process; expected values from Kafka Streams 4.3.1 (conformance tool,
  // case table-two-filters): without old values every update that does not pass is forwarded as a delete.
  it('should filter: every update that does not pass is forwarded as a delete when old values are not sent', () => {
    const builder = new StreamsBuilder();
    const table = builder.table('in', Consumed.with(S, I));
    table
      .filter((_k, v) => v > 0)
      .toStream()
      .to('pos', Produced.with(S, I));
    table
      .filterNot((_k, v) => v > 0, Materialized.as('non-positive'))
      .toStream()
      .to('neg', Produced.with(S, I));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('a', 5, 1);
    input.pipeInput('a', -1, 2);
    input.pipeInput('a', -2, 3);
    input.pipeInput('b', -3, 4);
    input.pipeInput('a', 7, 5);
    expect(read(driver, 'pos', S, I)).toEqual(['a=5@1', 'a=null@2', 'a=null@3', 'b=null@4', 'a=7@5']);
    expect(read(driver, 'neg', S, I)).toEqual(['a=null@1', 'a=-1@2', 'a=-2@3', 'b=-3@4', 'a=null@5']);
    const store = driver.getKeyValueStore<string, ValueAndTimestamp<number>>('non-positive')!;
    expect([...store.all()].map((kv) => [kv.key, kv.value.value])).toEqual([['b', -3]]);
  });

  it('should map values, tombstones staying tombstones', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', Consumed.with(S, S))
      .mapValues((v, k) => `${k}:${v.toUpperCase()}`, Named.as('upper'))
      .toStream()
      .to('out', Produced.with(S, S));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', null, 2);
    expect(read(driver, 'out', S, S)).toEqual(['a=a:X@1', 'a=null@2']);
  });

  it('should re-key updates with toStream(mapper)', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', Consumed.with(S, S))
      .toStream((k, v) => `${k}/${String(v)}`)
      .to('out', Produced.with(S, S));
    driver = new TopologyTestDriver(builder.build());
    driver.createInputTopic('in', S, S).pipeInput('a', 'x', 1);
    expect(read(driver, 'out', S, S)).toEqual(['a/x=x@1']);
  });

  it('should turn a stream into a table with toTable, repartitioning first when the key changed', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .selectKey((_k, v) => v.split(':')[0]!)
      .toTable(Materialized.as<string, string>('latest').withKeySerde(S).withValueSerde(S))
      .toStream()
      .to('out', Produced.with(S, S));
    const topology = builder.build();
    expect(topology.subtopologies()).toHaveLength(2);
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('1', 'a:1', 1);
    input.pipeInput('2', 'a:2', 2);
    expect(read(driver, 'out', S, S)).toEqual(['a=a:1@1', 'a=a:2@2']);
    expect(driver.getKeyValueStore<string, ValueAndTimestamp<string>>('latest')!.get('a')).toEqual({
      value: 'a:2',
      timestamp: 2,
    });
    expect(driver.producedTopicNames()).toContain('test-driver-KSTREAM-TOTABLE-0000000002-repartition');
  });
});

describe('KGroupedTable', () => {
  it('should count per new key, subtracting a key from its old group when it moves or is deleted', () => {
    const builder = new StreamsBuilder();
    builder
      .table('users', Consumed.with(S, S)) // user -> country
      .groupBy((user, country) => ({ key: country, value: user }), Grouped.with(S, S))
      .count()
      .toStream()
      .to('per-country', Produced.with(S, L));
    const topology = builder.build();
    // store 0, source 1, table source 2, select 3, aggregate store 4, sink 5, source 6, aggregate 7
    expect([...topology.internalTopics().keys()]).toEqual(['KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition']);
    expect(topology.subtopologies()).toHaveLength(2);
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('users', S, S);
    input.pipeInput('u1', 'US', 1);
    input.pipeInput('u2', 'US', 2);
    input.pipeInput('u1', 'FR', 3); // US loses u1, FR gains it
    input.pipeInput('u2', null, 4); // US loses u2
    expect(read(driver, 'per-country', S, L)).toEqual(['US=1@1', 'US=2@2', 'US=1@3', 'FR=1@3', 'US=0@4']);
    expect(driver.producedTopicNames()).toContain('test-driver-KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition');
  });

  it('should reduce with an adder and a subtractor', () => {
    const builder = new StreamsBuilder();
    builder
      .table('items', Consumed.with(S, S)) // item -> "category:amount"
      .groupBy(
        (_item, v) => ({ key: v.split(':')[0]!, value: Number(v.split(':')[1]) }),
        Grouped.as<string, number>('by-category').withKeySerde(S).withValueSerde(I),
      )
      .reduce(
        (sum, v) => sum + v,
        (sum, v) => sum - v,
        Materialized.as<string, number>('category-sums').withValueSerde(I),
      )
      .toStream()
      .to('sums', Produced.with(S, I));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('items', S, S);
    input.pipeInput('i1', 'A:10', 1);
    input.pipeInput('i2', 'A:5', 2);
    input.pipeInput('i1', 'B:10', 3);
    input.pipeInput('i2', 'A:7', 4); // same group: one update, subtracting 5 and adding 7
    expect(read(driver, 'sums', S, I)).toEqual(['A=10@1', 'A=15@2', 'A=5@3', 'B=10@3', 'A=7@4']);
    expect(driver.producedTopicNames()).toContain('test-driver-by-category-repartition');
  });

  it('should aggregate with an initializer, an adder and a subtractor', () => {
    const builder = new StreamsBuilder();
    builder
      .table('users', Consumed.with(S, S))
      .groupBy((user, country) => ({ key: country, value: user }), Grouped.with(S, S))
      .aggregate(
        () => '',
        (_k, user, agg) => [...agg.split(',').filter(Boolean), user].sort().join(','),
        (_k, user, agg) =>
          agg
            .split(',')
            .filter((u) => u && u !== user)
            .join(','),
        Materialized.with(S, S),
      )
      .toStream()
      .to('members', Produced.with(S, S));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('users', S, S);
    input.pipeInput('bob', 'US', 1);
    input.pipeInput('ann', 'US', 2);
    input.pipeInput('bob', 'FR', 3);
    expect(read(driver, 'members', S, S)).toEqual(['US=bob@1', 'US=ann,bob@2', 'US=ann@3', 'FR=bob@3']);
  });
});
