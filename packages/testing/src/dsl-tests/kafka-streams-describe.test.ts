// describe() of the DSL tests' topologies, byte for byte against Kafka Streams 4.3.1's Topology.describe() of the
// same programs (conformance/src/main/java/conformance/Main.java, defineDescribes). Generated names matter beyond
// the text: changelog and repartition topics are named after them.
import { describe, expect, it } from 'vitest';
import { Serdes } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import {
  Branched,
  BufferConfig,
  Consumed,
  EmitStrategy,
  Grouped,
  JoinWindows,
  Joined,
  Materialized,
  Named,
  Produced,
  Repartitioned,
  SessionWindows,
  SlidingWindows,
  StreamJoined,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
} from '@kaskade/dsl';
import type { KTable } from '@kaskade/dsl';
import type { Windowed } from '@kaskade/processor-api';
import { L, S } from './dsl-test-helpers.js';
import { KAFKA_STREAMS_DESCRIBE } from './kafka-streams-describe.expected.js';

const cases: { readonly [name: string]: (b: StreamsBuilder) => void } = {
  'multi-topic-source-and-stores': (b) => {
    for (const name of ['zeta-store', 'alpha', 'm']) {
      b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), S, S));
    }
    b.stream(['zeta', 'alpha', 'mid', 'b'], Consumed.with(S, S))
      .processValues(() => ({ process: () => undefined }), 'zeta-store', 'alpha', 'm')
      .to('out', Produced.with(S, S));
  },
  'word-count': (b) =>
    b
      .stream('text', Consumed.with(S, S))
      .flatMapValues((line) => line.split(' '))
      .groupBy((_k, word) => word, Grouped.with(S, S))
      .count()
      .toStream()
      .to('counts', Produced.with(S, L)),
  'stream-stream-join-named': (b) =>
    b
      .stream('left', Consumed.with(S, S))
      .join(
        b.stream('right', Consumed.with(S, S)),
        (x, y) => x + y,
        JoinWindows.ofTimeDifferenceAndGrace(10, 5),
        StreamJoined.with(S, S, S).withStoreName('orders'),
      )
      .to('out', Produced.with(S, S)),
  'stream-stream-inner-join': (b) =>
    b
      .stream('left', Consumed.with(S, S))
      .join(b.stream('right', Consumed.with(S, S)), (x, y) => x + y, JoinWindows.ofTimeDifferenceWithNoGrace(10))
      .to('out', Produced.with(S, S)),
  'stream-stream-left-join': (b) =>
    b
      .stream('left', Consumed.with(S, S))
      .leftJoin(
        b.stream('right', Consumed.with(S, S)),
        (x, y) => x + String(y),
        JoinWindows.ofTimeDifferenceAndGrace(10, 5),
      )
      .to('out', Produced.with(S, S)),
  'stream-stream-outer-join': (b) =>
    b
      .stream('left', Consumed.with(S, S))
      .outerJoin(
        b.stream('right', Consumed.with(S, S)),
        (x, y) => String(x) + String(y),
        JoinWindows.ofTimeDifferenceWithNoGrace(5),
      )
      .to('out', Produced.with(S, S)),
  'stream-stream-join-rekeyed': (b) =>
    b
      .stream('left', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .join(b.stream('right', Consumed.with(S, S)), (x, y) => x + y, JoinWindows.ofTimeDifferenceWithNoGrace(10))
      .to('out', Produced.with(S, S)),
  'stream-table-join': (b) =>
    b
      .stream('clicks', Consumed.with(S, S))
      .join(b.table('users', Consumed.with(S, S)), (c, u) => c + u)
      .to('out', Produced.with(S, S)),
  'stream-table-left-join': (b) =>
    b
      .stream('clicks', Consumed.with(S, S))
      .leftJoin(b.table('users', Consumed.with(S, S)), (c, u) => c + String(u))
      .to('out', Produced.with(S, S)),
  'stream-table-join-rekeyed': (b) => {
    const users = b.table('users', Consumed.with(S, S));
    b.stream('clicks', Consumed.with(S, S))
      .map((_k, v) => ({ key: v, value: v }))
      .join(users, (c, u) => c + u, Joined.with(S, S, S).withName('clicks-users'))
      .to('out', Produced.with(S, S));
  },
  'table-table-joins': (b) => {
    const l = b.table('l', Consumed.with(S, S));
    const r = b.table('r', Consumed.with(S, S));
    l.join(r, (x, y) => x + y)
      .toStream()
      .to('inner', Produced.with(S, S));
    l.leftJoin(r, (x, y) => x + String(y))
      .toStream()
      .to('left', Produced.with(S, S));
    l.outerJoin(r, (x, y) => String(x) + String(y))
      .toStream()
      .to('outer', Produced.with(S, S));
  },
  'tumbling-count': (b) =>
    windowedKeys(
      b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(),
    ),
  'sliding-count': (b) =>
    windowedKeys(
      b
        .stream('in', Consumed.with(S, S))
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100))
        .count(),
    ),
  'session-count': (b) =>
    windowedKeys(
      b
        .stream('in', Consumed.with(S, S))
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5))
        .count(),
    ),
  'suppress-until-window-closes': (b) =>
    windowedKeys(
      b
        .stream('in', Consumed.with(S, S))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
        .count()
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())),
    ),
  // The aggregate processor emits the final results itself: no extra processor or store (KIP-825).
  'session-emit-on-window-close': (b) =>
    windowedKeys(
      b
        .stream('in', Consumed.with(S, S))
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count(),
    ),
  'emit-on-window-close': (b) =>
    windowedKeys(
      b
        .stream('in', Consumed.with(S, S))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count(),
    ),
  'split-unnamed': (b) => {
    const branches = b
      .stream('in', Consumed.with(S, S))
      .split()
      .branch((_k, v) => v === 'x')
      .branch((_k, v) => v === 'y')
      .noDefaultBranch();
    branches
      .get('KSTREAM-BRANCH-00000000011')!
      .filter(() => true)
      .to('x', Produced.with(S, S));
    branches.get('KSTREAM-BRANCH-00000000012')!.to('y', Produced.with(S, S));
  },
  'split-named': (b) => {
    const branches = b
      .stream('in', Consumed.with(S, S))
      .split(Named.as('n-'))
      .branch((_k, v) => v.startsWith('-'), Branched.as('negative'))
      .branch(
        (_k, v) => v === '0',
        Branched.withConsumer((s) => s.foreach(() => undefined)),
      )
      .branch(
        (_k, v) => v.length < 2,
        Branched.withFunction((s) => s.mapValues((v) => v + '00'), 'small'),
      )
      .defaultBranch(Branched.as('large'));
    branches.get('n-negative')!.to('negative', Produced.with(S, S));
    branches.get('n-small')!.to('small', Produced.with(S, S));
    branches.get('n-large')!.to('large', Produced.with(S, S));
  },
  'table-filter': (b) =>
    b
      .table('t', Consumed.with(S, S))
      .filter((_k, v) => v.startsWith('x'))
      .toStream()
      .to('out', Produced.with(S, S)),
  'table-filter-map-values': (b) =>
    b
      .table('t', Consumed.with(S, S))
      .filter((_k, v) => v.startsWith('x'))
      .mapValues((v) => v.toUpperCase())
      .toStream()
      .to('out', Produced.with(S, S)),
  'to-table': (b) => b.stream('in', Consumed.with(S, S)).toTable().toStream().to('out', Produced.with(S, S)),
  'to-table-rekeyed': (b) =>
    b
      .stream('in', Consumed.with(S, S))
      .selectKey((_k, v) => v.split(':')[0]!)
      .toTable()
      .toStream()
      .to('out', Produced.with(S, S)),
  'table-group-by-count': (b) =>
    b
      .table('t', Consumed.with(S, S))
      .groupBy((k, v) => ({ key: v, value: k }), Grouped.with(S, S))
      .count()
      .toStream()
      .to('out', Produced.with(S, L)),
  merge: (b) =>
    b
      .stream('a', Consumed.with(S, S))
      .merge(b.stream('b', Consumed.with(S, S)))
      .to('out', Produced.with(S, S)),
  'stateless-chain': (b) => {
    const s = b.stream('in', Consumed.with(S, S));
    s.filter(() => true)
      .filterNot(() => false)
      .mapValues((v) => v)
      .to('a', Produced.with(S, S));
    s.map((k, v) => ({ key: v, value: k }))
      .peek(() => undefined)
      .to('b', Produced.with(S, S));
    s.foreach(() => undefined);
  },
  'grouped-stream-aggregations': (b) => {
    const g = b.stream('in', Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
    g.count().toStream().to('counts', Produced.with(S, L));
    g.reduce((x, y) => x + y)
      .toStream()
      .to('reduced', Produced.with(S, S));
    g.aggregate(
      () => '',
      (_k, v, agg) => agg + v,
      Materialized.with(S, S),
    )
      .toStream()
      .to('aggregated', Produced.with(S, S));
  },
  'group-by-named': (b) =>
    b
      .stream('text', Consumed.with(S, S))
      .groupBy((_k, v) => v, Grouped.as<string, string>('by-value').withKeySerde(S).withValueSerde(S))
      .count(Named.as('count-by-value'), Materialized.as('by-value-counts'))
      .toStream(Named.as('to-out'))
      .to('out', Produced.with(S, L).withName('out-sink')),
  'named-stateless': (b) =>
    b
      .stream('in', Consumed.as<string, string>('my-source').withKeySerde(S).withValueSerde(S))
      .filter(() => true, Named.as('my-filter'))
      .mapValues((v) => v, Named.as('my-map'))
      .to('out', Produced.as('my-sink')),
  'repartition-named': (b) =>
    b
      .stream('in', Consumed.with(S, S))
      .repartition(Repartitioned.as<string, string>('by-key').withNumberOfPartitions(4))
      .to('out', Produced.with(S, S)),
  'repartition-unnamed': (b) =>
    b
      .stream('in', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .repartition()
      .to('out', Produced.with(S, S)),
  'shared-grouping': (b) => {
    const g = b
      .stream('in', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .groupByKey(Grouped.as<string, string>('g').withKeySerde(S).withValueSerde(S));
    g.count(Materialized.as('c1'));
    g.reduce((x, y) => x + y, Materialized.as('c2'));
  },
  'joined-table-lookup': (b) => {
    const joined = b
      .table('l', Consumed.with(S, S))
      .join(b.table('r', Consumed.with(S, S)), (x, y) => x + y)
      .mapValues((v) => v.toUpperCase());
    b.stream('s', Consumed.with(S, S))
      .join(joined, (x, y) => `${x}:${y}`)
      .to('out', Produced.with(S, S));
  },
  'table-table-join-materialized': (b) => {
    b.table('l', Consumed.with(S, S)).join(
      b.table('r', Consumed.with(S, S)),
      (x, y) => x + y,
      Materialized.as<string, string>('joined').withValueSerde(S),
    );
  },
  'table-group-by-reduce-aggregate': (b) => {
    const g = b.table('t', Consumed.with(S, S)).groupBy((k, v) => ({ key: v, value: k }), Grouped.with(S, S));
    g.reduce(
      (x, y) => x + y,
      (x) => x,
    )
      .toStream()
      .to('reduced', Produced.with(S, S));
    g.aggregate(
      () => '',
      (_k, v, agg) => agg + v,
      (_k, _v, agg) => agg,
      Materialized.with(S, S),
    )
      .toStream()
      .to('aggregated', Produced.with(S, S));
  },
  'session-suppressed': (b) =>
    windowedKeys(
      b
        .stream('in', Consumed.with(S, S))
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5))
        .count()
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())),
    ),
  'suppress-time-limit': (b) =>
    b
      .table('in', Consumed.with(S, S))
      .suppress(Suppressed.untilTimeLimit(10, BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(S, S)),
  'stream-table-left-join-named-repartition': (b) => {
    const t = b.table('t', Consumed.with(S, S), Materialized.as('t-store'));
    b.stream('s', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .leftJoin(t, (x, y) => x + String(y))
      .to('out', Produced.with(S, S));
  },
  'stream-stream-left-join-named': (b) =>
    b
      .stream('left', Consumed.with(S, S))
      .leftJoin(
        b.stream('right', Consumed.with(S, S)),
        (x, y) => x + String(y),
        JoinWindows.ofTimeDifferenceAndGrace(10, 5),
        StreamJoined.with(S, S, S).withName('j').withStoreName('s'),
      )
      .to('out', Produced.with(S, S)),
  'process-and-merge': (b) =>
    b
      .stream('a', Consumed.with(S, S))
      .merge(b.stream('c', Consumed.with(S, S)), Named.as('merged'))
      .process(() => ({ process: () => undefined }))
      .to('out', Produced.with(S, S)),
};

/** `toStream().map(key of the window) → out`, as the Java side writes it. */
function windowedKeys(table: KTable<Windowed<string>, number>): void {
  table
    .toStream()
    .map((k, v) => ({ key: k.key, value: v }))
    .to('out', Produced.with(S, Serdes.Int64()));
}

describe('describe() as Kafka Streams 4.3.1 prints it (InternalTopologyBuilder.TopologyDescription.toString)', () => {
  for (const [name, build] of Object.entries(cases)) {
    it(`should describe the ${name} topology byte for byte as Kafka Streams does`, () => {
      const builder = new StreamsBuilder();
      build(builder);
      expect(builder.build().describe().toString()).toBe(KAFKA_STREAMS_DESCRIBE[name]);
    });
  }
});
