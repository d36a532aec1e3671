import { afterEach, describe, expect, it } from 'vitest';
import type { ValueAndTimestamp } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { L, S } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

const I = Serdes.Int32();

describe('KGroupedStream aggregations', () => {
  it('should count per key, emitting an update per record with the largest timestamp of the key', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .count(Materialized.as('counts'))
      .toStream()
      .to('out', Produced.with(S, L));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 10);
    input.pipeInput('b', 'x', 20);
    input.pipeInput('a', 'x', 5); // out of order: the update keeps a's larger timestamp, 10
    input.pipeInput('a', 'x', 30);
    expect(
      driver
        .createOutputTopic('out', S, L)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
    ).toEqual([
      ['a', 1, 10],
      ['b', 1, 20],
      ['a', 2, 10],
      ['a', 3, 30],
    ]);
    const store = driver.getKeyValueStore<string, ValueAndTimestamp<number>>('counts')!;
    expect(store.get('a')).toEqual({ value: 3, timestamp: 30 });
    expect(store.get('b')).toEqual({ value: 1, timestamp: 20 });
    expect(driver.producedTopicNames()).toContain('test-driver-counts-changelog');
  });

  it('should reduce values per key', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, I))
      .groupByKey()
      .reduce((sum, v) => sum + v)
      .toStream()
      .to('out', Produced.with(S, I));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('a', 1, 0);
    input.pipeInput('a', 2, 0);
    input.pipeInput('b', 10, 0);
    input.pipeInput('a', 3, 0);
    expect(driver.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'a', value: 3 },
      { key: 'b', value: 10 },
      { key: 'a', value: 6 },
    ]);
  });

  it('should aggregate into another type, starting each key from the initializer', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .aggregate(
        () => '',
        (_k, v, agg) => (agg === '' ? v : `${agg},${v}`),
        Materialized.with(S, S),
      )
      .toStream()
      .to('out', Produced.with(S, S));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'x', 0);
    input.pipeInput('k', 'y', 0);
    input.pipeInput('j', 'z', 0);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'x' },
      { key: 'k', value: 'x,y' },
      { key: 'j', value: 'z' },
    ]);
  });

  it('should drop and count records with a null key or a null value', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).groupByKey().count().toStream().to('out', Produced.with(S, L));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput(null, 'x', 0);
    input.pipeInput('a', null, 0);
    input.pipeInput('a', 'x', 0);
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([{ key: 'a', value: 1 }]);
    expect(driver.metrics().droppedByReason).toEqual({ 'null-key': 1, 'null-value': 1 });
  });

  it('should drop and count null keys before the repartition topic of groupBy', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupBy((_k, v) => (v === 'none' ? (null as unknown as string) : v), Grouped.with(S, S))
      .count()
      .toStream()
      .to('out', Produced.with(S, L));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('1', 'none', 0);
    input.pipeInput('2', 'x', 0);
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([{ key: 'x', value: 1 }]);
    expect(driver.metrics().droppedByReason).toEqual({ 'null-key': 1 });
    // Only the record with a key went through the repartition topic.
    const repartition = driver
      .createOutputTopic('test-driver-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition', S, S)
      .readKeyValuesToList();
    expect(repartition).toEqual([{ key: 'x', value: 'x' }]);
  });

  it('should repartition after a key change, so records with the same new key are aggregated together', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, I))
      .map((k, v) => ({ key: k.slice(0, 1), value: v }))
      .groupByKey(Grouped.with(S, I))
      .reduce((a, b) => a + b, Materialized.as('sums'))
      .toStream()
      .to('out', Produced.with(S, I));
    const topology = builder.build();
    expect(topology.subtopologies()).toHaveLength(2);
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('a1', 1, 0);
    input.pipeInput('b1', 5, 0);
    input.pipeInput('a2', 2, 0);
    expect(driver.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 5 },
      { key: 'a', value: 3 },
    ]);
    expect(driver.producedTopicNames()).toContain('test-driver-sums-repartition');
  });

  it('should not repartition after groupByKey on an unchanged key', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .filter(() => true)
      .mapValues((v) => v.length)
      .groupByKey(Grouped.with(S, I))
      .count();
    const topology = builder.build();
    expect(topology.subtopologies()).toHaveLength(1);
    expect(topology.internalTopics().size).toBe(0);
  });

  it('should honour Materialized logging, caching and store type', () => {
    const builder = new StreamsBuilder();
    const grouped = builder.stream('in', Consumed.with(S, S)).groupByKey();
    grouped
      .count(Materialized.as<string, number>('unlogged').withLoggingDisabled())
      .toStream()
      .to('o1', Produced.with(S, L));
    grouped
      .count(Materialized.as<string, number>(Stores.inMemoryKeyValueStore('in-mem')).withCachingEnabled())
      .toStream()
      .to('o2', Produced.with(S, L));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'y', 0);
    expect(driver.createOutputTopic('o1', S, L).readValuesToList()).toEqual([1, 2]);
    // The driver commits after every record, so the cache flushes each update.
    expect(driver.createOutputTopic('o2', S, L).readValuesToList()).toEqual([1, 2]);
    expect(driver.producedTopicNames()).not.toContain('test-driver-unlogged-changelog');
    expect(driver.producedTopicNames()).toContain('test-driver-in-mem-changelog');
    expect(driver.getKeyValueStore('in-mem')!.persistent).toBe(false);
    expect(driver.getKeyValueStore('unlogged')!.persistent).toBe(true);
  });

  it('should de-duplicate updates of a key until the next commit with the record cache (the default), one per update without', () => {
    const build = (materialized: Materialized<string, number>) => {
      const builder = new StreamsBuilder();
      builder
        .stream('in', Consumed.with(S, S))
        .flatMapValues((v) => v.split(' '))
        .groupByKey()
        .count(materialized)
        .toStream()
        .to('out', Produced.with(S, L));
      return builder.build();
    };
    // One input record makes three updates of key k before the driver commits.
    driver = new TopologyTestDriver(build(Materialized.as<string, number>('plain').withCachingDisabled()));
    driver.createInputTopic('in', S, S).pipeInput('k', 'a b c', 0);
    expect(driver.createOutputTopic('out', S, L).readValuesToList()).toEqual([1, 2, 3]);
    driver.close();
    // Caching is the default, as in Kafka Streams.
    driver = new TopologyTestDriver(build(Materialized.as<string, number>('cached')));
    driver.createInputTopic('in', S, S).pipeInput('k', 'a b c', 0);
    expect(driver.createOutputTopic('out', S, L).readValuesToList()).toEqual([3]);
  });
});
