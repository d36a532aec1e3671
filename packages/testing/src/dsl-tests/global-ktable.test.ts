// GlobalKTable: describe() texts and join outputs of Kafka Streams 4.3.1 for the same topologies and inputs (the
// conformance tool's cases stream-global-table-*, conformance/src/main/java/conformance/Main.java), and the global
// store in the TopologyTestDriver.
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Materialized, Named, Produced, StreamsBuilder } from '@kaskade/dsl';
import type { GlobalKTable } from '@kaskade/dsl';
import { Topology } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import type { TimestampedKeyValueStore } from '@kaskade/processor-api';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { S } from './dsl-test-helpers.js';
import { closeDriver, currentDriver, run, str } from './conformance-driver.js';

afterEach(closeDriver);

const joiner = (c: string, u: string | null) => `${c}+${str(u)}`;
const globalJoin = (left: boolean) => (b: StreamsBuilder) => {
  // In Kafka Streams' order: the stream first (its source is node 0), then the table in the join call.
  const clicks = b.stream('clicks', Consumed.with(S, S));
  const users = b.globalTable('users', Consumed.with(S, S));
  const joined = left ? clicks.leftJoin(users, (_k, v) => v, joiner) : clicks.join(users, (_k, v) => v, joiner);
  joined.to('out', Produced.with(S, S));
};

describe('describe() as Kafka Streams', () => {
  it('should print the global store as its own sub-topology after the stream, and name the join LEFTJOIN', () => {
    const b = new StreamsBuilder();
    globalJoin(false)(b);
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [clicks])',
        '      --> KSTREAM-LEFTJOIN-0000000004',
        '    Processor: KSTREAM-LEFTJOIN-0000000004 (stores: [])',
        '      --> KSTREAM-SINK-0000000005',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Sink: KSTREAM-SINK-0000000005 (topic: out)',
        '      <-- KSTREAM-LEFTJOIN-0000000004',
        '',
        '  Sub-topology: 1 for global store (will not generate tasks)',
        '    Source: KSTREAM-SOURCE-0000000002 (topics: [users])',
        '      --> KTABLE-SOURCE-0000000003',
        '    Processor: KTABLE-SOURCE-0000000003 (stores: [users-STATE-STORE-0000000001])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000002',
        '',
      ].join('\n'),
    );
  });

  it('should name a materialized global table and a named join as Kafka Streams', () => {
    const b = new StreamsBuilder();
    const clicks = b.stream('clicks', Consumed.with(S, S));
    const users = b.globalTable('users', Consumed.with(S, S), Materialized.as<string, string>('users-store'));
    clicks
      .join(
        users,
        (_k, v) => v,
        (c, u) => c + u,
        Named.as('clicks-users'),
      )
      .to('out', Produced.with(S, S));
    expect(users.queryableStoreName()).toBe('users-store');
    expect(b.build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [clicks])',
        '      --> clicks-users',
        '    Processor: clicks-users (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Sink: KSTREAM-SINK-0000000004 (topic: out)',
        '      <-- clicks-users',
        '',
        '  Sub-topology: 1 for global store (will not generate tasks)',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [users])',
        '      --> KTABLE-SOURCE-0000000002',
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [users-store])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000001',
        '',
      ].join('\n'),
    );
  });

  it('should number a global store declared first 0, and the stream-table join after it 1', () => {
    const b = new StreamsBuilder();
    b.globalTable('users', Consumed.with(S, S));
    b.stream('clicks', Consumed.with(S, S))
      .join(b.table('prices', Consumed.with(S, S)), (c, u) => c + u)
      .to('out', Produced.with(S, S));
    const topology = b.build();
    expect(topology.subtopologies().map((s) => s.id)).toEqual([1]);
    expect(topology.describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0 for global store (will not generate tasks)',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [users])',
        '      --> KTABLE-SOURCE-0000000002',
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [users-STATE-STORE-0000000000])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000001',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000003 (topics: [clicks])',
        '      --> KSTREAM-JOIN-0000000007',
        '    Processor: KSTREAM-JOIN-0000000007 (stores: [prices-STATE-STORE-0000000004])',
        '      --> KSTREAM-SINK-0000000008',
        '      <-- KSTREAM-SOURCE-0000000003',
        '    Source: KSTREAM-SOURCE-0000000005 (topics: [prices])',
        '      --> KTABLE-SOURCE-0000000006',
        '    Sink: KSTREAM-SINK-0000000008 (topic: out)',
        '      <-- KSTREAM-JOIN-0000000007',
        '    Processor: KTABLE-SOURCE-0000000006 (stores: [prices-STATE-STORE-0000000004])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000005',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('stream-globalTable joins give Kafka Streams results (TopologyTestDriver)', () => {
  it('should join by the selected key, with the global value at processing time (inner)', () => {
    const expected = [
      'clicks c1=u1@1 ->',
      'users u1=alice@2 ->',
      'clicks c2=u1@3 -> c2=u1+alice@3',
      'clicks c3=u2@4 ->',
      'users u2=bob@5 ->',
      'clicks c4=u2@2 -> c4=u2+bob@2',
      'users u1=null@6 ->',
      'clicks c5=u1@7 ->',
      'clicks c6=null@8 ->',
      'users u2=bobby@1 ->',
      'clicks c7=u2@9 -> c7=u2+bobby@9',
    ];
    expect(run(globalJoin(false), expected)).toEqual(expected);
    expect(currentDriver().getKeyValueStore('users-STATE-STORE-0000000001')?.get('u2')).toEqual({
      value: 'bobby',
      timestamp: 1,
    });
  });

  it('should forward every record with a value, joined with null when the table has none (left)', () => {
    const expected = [
      'clicks c1=u1@1 -> c1=u1+null@1',
      'users u1=alice@2 ->',
      'clicks c2=u1@3 -> c2=u1+alice@3',
      'clicks c3=u2@4 -> c3=u2+null@4',
      'users u2=bob@5 ->',
      'clicks c4=u2@2 -> c4=u2+bob@2',
      'users u1=null@6 ->',
      'clicks c5=u1@7 -> c5=u1+null@7',
      'clicks c6=null@8 ->',
      'users u2=bobby@1 ->',
      'clicks c7=u2@9 -> c7=u2+bobby@9',
    ];
    expect(run(globalJoin(true), expected)).toEqual(expected);
  });

  it('should look up the selected key whatever the stream key, and treat a null selected key as no match', () => {
    const expected = [
      'users u1=alice@1 ->',
      'clicks c1=none@2 ->',
      'clicks null=u1@3 -> null=inner:u1+alice@3',
      'clicks2 c1=none@4 -> c1=left:none+null@4',
      'clicks2 null=u1@5 -> null=left:u1+alice@5',
      'clicks2 null=none@6 -> null=left:none+null@6',
      'clicks2 c2=u9@7 -> c2=left:u9+null@7',
    ];
    const selector = (_k: string | null, v: string) => (v === 'none' ? null : v);
    const build = (b: StreamsBuilder) => {
      const users: GlobalKTable<string, string> = b.globalTable('users', Consumed.with(S, S));
      b.stream<string | null, string>('clicks', Consumed.with(S, S))
        .join(users, selector, (c, u) => `inner:${c}+${u}`)
        .to('out', Produced.with(S, S));
      b.stream<string | null, string>('clicks2', Consumed.with(S, S))
        .leftJoin(users, selector, (c, u) => `left:${c}+${str(u)}`)
        .to('out', Produced.with(S, S));
    };
    expect(run(build, expected)).toEqual(expected);
  });
});

describe('addGlobalStore (Processor API)', () => {
  it('should refuse a logged store, connecting a global store, and children of a global processor', () => {
    const logged = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('g'), S, S);
    const add = (t: Topology, builder = logged.withLoggingDisabled()) =>
      t.addGlobalStore(builder, 'g-source', { keySerde: S, valueSerde: S }, 'g-topic', 'g-proc', () => ({
        process: () => undefined,
      }));
    expect(() => add(new Topology(), logged)).toThrow(/must have logging disabled/);
    const t = add(new Topology())
      .addSource('in', 'in')
      .addProcessor('p', () => ({ process: () => undefined }), 'in');
    expect(() => t.connectProcessorAndStateStores('p', 'g')).toThrow(/without being connected/);
    expect(() => t.addProcessor('child', () => ({ process: () => undefined }), 'g-proc')).toThrow(/global store/);
  });

  it('should let any processor read the global store its own processor writes, updated at once by piped records', () => {
    const seen: string[] = [];
    const topology = new Topology()
      .addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('rates'), S, S).withLoggingDisabled(),
        'rates-source',
        { keySerde: S, valueSerde: S },
        'rates',
        'rates-writer',
        () => {
          let store: TimestampedKeyValueStore<string, string>;
          return {
            init: (ctx) => (store = ctx.getStateStore('rates')),
            process: (r) => (store as unknown as { put(k: unknown, v: unknown): void }).put(r.key, r.value),
          };
        },
      )
      .addSource('in', 'in', { keySerde: S, valueSerde: S })
      .addProcessor(
        'reader',
        () => {
          let store: { get(k: string): unknown };
          return {
            init: (ctx) => (store = ctx.getStateStore('rates') as unknown as typeof store),
            process: (r) => void seen.push(`${String(r.key)}=${String(store.get(r.key as string))}`),
          };
        },
        'in',
      );
    const driver = new TopologyTestDriver(topology);
    try {
      driver.createInputTopic('in', S, S).pipeInput('eur', 'x');
      driver.createInputTopic('rates', S, S).pipeInput('eur', '1.1');
      driver.createInputTopic('in', S, S).pipeInput('eur', 'y');
      expect(seen).toEqual(['eur=undefined', 'eur=1.1']);
      expect(driver.getKeyValueStore('rates')?.get('eur')).toBe('1.1');
    } finally {
      driver.close();
    }
  });
});
