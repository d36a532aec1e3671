import { describe, expect, it } from 'vitest';
import { TopologyError } from '@kaskade/processor-api';
import { Serdes, Topology } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import { mapper } from './driver-test-processors.js';

const S = Serdes.String();

describe('Topology', () => {
  it('should refuse malformed graphs with a TopologyError naming the node', () => {
    const t = new Topology().addSource('src', 'in');
    expect(() => t.addSource('src', 'other')).toThrowError(/a node named "src" already exists/);
    expect(() => t.addSource('src2', 'in')).toThrowError(/topic "in" is already read by source "src"/);
    expect(() =>
      t.addProcessor(
        'p',
        mapper((r) => r),
        'nope',
      ),
    ).toThrowError(/"p" names unknown parent "nope"/);
    expect(() =>
      t.addProcessor(
        'p',
        mapper((r) => r),
      ),
    ).toThrowError(/"p" needs at least one parent/);
    t.addSink('sink', 'out', {}, 'src');
    expect(() =>
      t.addProcessor(
        'q',
        mapper((r) => r),
        'sink',
      ),
    ).toThrowError(/sinks have no children/);
    expect(() => t.connectProcessorAndStateStores('missing', 'store')).toThrowError(TopologyError);
    t.addProcessor(
      'p',
      mapper((r) => r),
      'src',
    );
    expect(() => t.connectProcessorAndStateStores('p', 'nostore')).toThrowError(/unknown store "nostore"/);
    expect(() =>
      t.addProcessor(
        'bad name!',
        mapper((r) => r),
        'src',
      ),
    ).toThrowError(/may only contain/);
  });

  it("should describe itself in Kafka Streams' text format", () => {
    const topology = new Topology()
      .addSource('KSTREAM-SOURCE-0000000000', 'input')
      .addProcessor(
        'KSTREAM-FILTER-0000000001',
        mapper((r) => r),
        'KSTREAM-SOURCE-0000000000',
      )
      .addStateStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('store'), S, S),
        'KSTREAM-FILTER-0000000001',
      )
      .addSink('KSTREAM-SINK-0000000002', 'output', {}, 'KSTREAM-FILTER-0000000001')
      .addSource('other-source', 'other');
    expect(topology.describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])',
        '      --> KSTREAM-FILTER-0000000001',
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [store])',
        '      --> KSTREAM-SINK-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Sink: KSTREAM-SINK-0000000002 (topic: output)',
        '      <-- KSTREAM-FILTER-0000000001',
        '',
        '  Sub-topology: 1',
        '    Source: other-source (topics: [other])',
        '      --> none',
        '',
        '',
      ].join('\n'),
    );
  });
});
