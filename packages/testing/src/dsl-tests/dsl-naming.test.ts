import { afterEach, describe, expect, it } from 'vitest';
import { TopologyError } from '@kaskade/processor-api';
import { Consumed, Grouped, Materialized, Named, Produced, Repartitioned, StreamsBuilder } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { L, S } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** The word count of Kafka Streams' quickstart. */
function wordCount(countMaterialized?: Materialized<string, number>): StreamsBuilder {
  const builder = new StreamsBuilder();
  builder
    .stream('text', Consumed.with(S, S))
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, Grouped.with(S, S))
    .count(countMaterialized)
    .toStream()
    .to('counts', Produced.with(S, L));
  return builder;
}

describe('DSL names and topology', () => {
  it('should name generated nodes, stores and the repartition topic as Kafka Streams does, in two sub-topologies', () => {
    // Counter: source 0, flatMapValues 1, key-select 2, store 3, aggregate 4, then the repartition's sink 5,
    // null-key filter 6 and source 7, toStream 8, sink 9.
    expect(wordCount().build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [text])',
        '      --> KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])',
        '      --> KSTREAM-KEY-SELECT-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])',
        '      --> KSTREAM-FILTER-0000000006',
        '      <-- KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FILTER-0000000006 (stores: [])',
        '      --> KSTREAM-SINK-0000000005',
        '      <-- KSTREAM-KEY-SELECT-0000000002',
        '    Sink: KSTREAM-SINK-0000000005 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition)',
        '      <-- KSTREAM-FILTER-0000000006',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000007 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000004',
        '    Processor: KSTREAM-AGGREGATE-0000000004 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000003])',
        '      --> KTABLE-TOSTREAM-0000000008',
        '      <-- KSTREAM-SOURCE-0000000007',
        '    Processor: KTABLE-TOSTREAM-0000000008 (stores: [])',
        '      --> KSTREAM-SINK-0000000009',
        '      <-- KSTREAM-AGGREGATE-0000000004',
        '    Sink: KSTREAM-SINK-0000000009 (topic: counts)',
        '      <-- KTABLE-TOSTREAM-0000000008',
        '',
        '',
      ].join('\n'),
    );
  });

  it('should build identical topologies from identical programs', () => {
    const a = wordCount().build().describe().toString();
    const b = wordCount().build().describe().toString();
    expect(a).toBe(b);
    // Building twice from one builder gives the same topology too.
    const builder = wordCount();
    expect(builder.build().describe().toString()).toBe(builder.build().describe().toString());
  });

  it('should name the store and the repartition topic after Materialized.as, and declare the topic as internal', () => {
    const topology = wordCount(Materialized.as('counts-store')).build();
    const text = topology.describe().toString();
    // No store name is generated: the aggregate is processor 3; the repartition's nodes take counter values 4, 5 and
    // 6 but are named after the topic (KStreamImpl.createRepartitionedSource), so the sink after toStream is 8.
    expect(text).toContain('Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])');
    expect(text).toContain('Sink: counts-store-repartition-sink (topic: counts-store-repartition)');
    expect(text).toContain('Source: counts-store-repartition-source (topics: [counts-store-repartition])');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000008 (topic: counts)');
    expect([...topology.internalTopics().keys()]).toEqual(['counts-store-repartition']);
    expect(topology.subtopologies()).toHaveLength(2);
  });

  it('should carry records through <applicationId>-<name>-repartition to the second sub-topology', () => {
    // One output per update (not per input record, as with the default record cache): every word is counted.
    const counts = Materialized.as<string, number>('counts-store').withCachingDisabled();
    driver = new TopologyTestDriver(wordCount(counts).build(), { applicationId: 'wc' });
    const input = driver.createInputTopic('text', S, S);
    input.pipeInput(null, 'a b a', 1);
    input.pipeInput(null, 'b', 2);
    expect(driver.createOutputTopic('counts', S, L).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
      { key: 'a', value: 2 },
      { key: 'b', value: 2 },
    ]);
    expect(driver.producedTopicNames()).toContain('wc-counts-store-repartition');
    expect(driver.producedTopicNames()).toContain('wc-counts-store-changelog');
  });

  it('should use Grouped.as for the key selector and the repartition topic', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('text', Consumed.with(S, S))
      .groupBy((_k, v) => v, Grouped.as<string, string>('by-value').withKeySerde(S).withValueSerde(S))
      .count(Named.as('count-by-value'), Materialized.as('by-value-counts'))
      .toStream(Named.as('to-out'))
      .to('out', Produced.with(S, L).withName('out-sink'));
    const text = builder.build().describe().toString();
    expect(text).toContain('Processor: by-value (stores: [])');
    expect(text).toContain('(topic: by-value-repartition)');
    expect(text).toContain('Processor: count-by-value (stores: [by-value-counts])');
    expect(text).toContain('Processor: to-out (stores: [])');
    expect(text).toContain('Sink: out-sink (topic: out)');
  });

  it('should override generated names with Named, Consumed.as and Produced.as', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.as<string, string>('my-source').withKeySerde(S).withValueSerde(S))
      .filter(() => true, Named.as('my-filter'))
      .mapValues((v) => v, Named.as('my-map'))
      .to('out', Produced.as('my-sink'));
    expect(builder.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: my-source (topics: [in])',
        '      --> my-filter',
        '    Processor: my-filter (stores: [])',
        '      --> my-map',
        '      <-- my-source',
        '    Processor: my-map (stores: [])',
        '      --> my-sink',
        '      <-- my-filter',
        '    Sink: my-sink (topic: out)',
        '      <-- my-map',
        '',
        '',
      ].join('\n'),
    );
  });

  it('should refuse duplicate names, invalid names and a topic read twice with a TopologyError', () => {
    const builder = new StreamsBuilder();
    const s = builder.stream('in');
    s.filter(() => true, Named.as('dup'));
    expect(() => s.filter(() => true, Named.as('dup'))).toThrowError(/"dup" already exists/);
    expect(() => Named.as('bad name')).toThrowError(TopologyError);
    expect(() => builder.stream('in')).toThrowError(/topic "in" is already read/);
    expect(() => builder.stream([])).toThrowError(TopologyError);
  });

  it('should repartition explicitly with repartition(), naming the topic and fixing its partition count', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .repartition(Repartitioned.as<string, string>('by-key').withNumberOfPartitions(4))
      .to('out', Produced.with(S, S));
    const topology = builder.build();
    expect(topology.subtopologies()).toHaveLength(2);
    expect(topology.internalTopics().get('by-key-repartition')).toEqual({ name: 'by-key-repartition', partitions: 4 });
    driver = new TopologyTestDriver(topology);
    driver.createInputTopic('in', S, S).pipeInput('k', 'v', 7);
    expect(
      driver
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
    ).toEqual([['k', 'v', 7]]);
    expect(driver.producedTopicNames()).toContain('test-driver-by-key-repartition');
  });

  it('should repartition a re-keyed stream once when two aggregations share a named grouping', () => {
    const builder = new StreamsBuilder();
    const grouped = builder
      .stream('in', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .groupByKey(Grouped.as<string, string>('g').withKeySerde(S).withValueSerde(S));
    grouped.count(Materialized.as('c1'));
    grouped.reduce((a, b) => a + b, Materialized.as('c2'));
    const topology = builder.build();
    expect([...topology.internalTopics().keys()]).toEqual(['g-repartition']);
    expect(topology.subtopologies()).toHaveLength(2);
  });
});
