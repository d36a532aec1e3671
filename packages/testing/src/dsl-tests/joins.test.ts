import { afterEach, describe, expect, it } from 'vitest';
import type { ValueAndTimestamp } from '@kaskade/processor-api';
import { planTopics } from '@kaskade/core/internal';
import { Consumed, JoinWindows, Joined, Materialized, Produced, StreamJoined, StreamsBuilder } from '@kaskade/dsl';
import type { KStream, KTable } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { S } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

const str = (v: unknown): string => (v === null ? 'null' : String(v));

/** Collects `key=value@timestamp` of the records of a stream. */
function collect<V>(stream: KStream<string, V>): string[] {
  const out: string[] = [];
  stream.process(() => ({ process: (r) => void out.push(`${r.key}=${str(r.value)}@${r.timestamp}`) }));
  return out;
}

describe('stream-stream joins', () => {
  function setup(join: (left: KStream<string, string>, right: KStream<string, string>) => KStream<string, string>): {
    out: string[];
    left: (k: string, v: string, t: number) => void;
    right: (k: string, v: string, t: number) => void;
  } {
    const builder = new StreamsBuilder();
    const out = collect(
      join(builder.stream('left', Consumed.with(S, S)), builder.stream('right', Consumed.with(S, S))),
    );
    driver = new TopologyTestDriver(builder.build());
    const l = driver.createInputTopic('left', S, S);
    const r = driver.createInputTopic('right', S, S);
    return { out, left: (k, v, t) => l.pipeInput(k, v, t), right: (k, v, t) => r.pipeInput(k, v, t) };
  }

  it('should join records with the same key within the window, both bounds inclusive, at the larger timestamp', () => {
    const { out, left, right } = setup((l, r) =>
      l.join(r, (a, b) => `${a}+${b}`, JoinWindows.ofTimeDifferenceWithNoGrace(10)),
    );
    left('a', 'L1', 0);
    right('a', 'R1', 5);
    right('a', 'R2', 20); // 20 after L1: no partner
    left('a', 'L2', 15); // R1 is 10 before, R2 5 after
    left('b', 'L3', 15); // another key: nothing
    expect(out).toEqual(['a=L1+R1@5', 'a=L2+R1@15', 'a=L2+R2@20']);
  });

  it('should emit unmatched left records only after their window and grace have passed', () => {
    const { out, left, right } = setup((l, r) =>
      l.leftJoin(r, (a, b) => `${a}+${str(b)}`, JoinWindows.ofTimeDifferenceAndGrace(10, 5)),
    );
    left('a', 'L1', 0); // its window closes when stream time passes 0 + 10 + 5
    left('b', 'L2', 12);
    right('x', 'R0', 15);
    expect(out).toEqual([]);
    right('b', 'R1', 16); // stream time 16 > 15: L1 is emitted unmatched; L2 finds R1
    expect(out).toEqual(['a=L1+null@0', 'b=L2+R1@16']);
    left('z', 'L3', 100); // L2 found a partner: nothing more for it
    expect(out).toEqual(['a=L1+null@0', 'b=L2+R1@16']);
  });

  it('should not emit an unmatched result for a left record whose partner arrives late but within grace', () => {
    const { out, left, right } = setup((l, r) =>
      l.leftJoin(r, (a, b) => `${a}+${str(b)}`, JoinWindows.ofTimeDifferenceAndGrace(10, 5)),
    );
    left('a', 'L1', 0);
    left('x', 'X', 13); // stream time 13: L1's window [.., 10] has ended, its grace not
    right('a', 'R1', 9); // out of order, within grace: joins L1
    left('y', 'Y', 30); // everything closes: only X is unmatched
    expect(out).toEqual(['a=L1+R1@9', 'x=X+null@13']);
  });

  it('should emit a left record at once when its window has closed, grace included, before it arrives', () => {
    const { out, left } = setup((l, r) =>
      l.leftJoin(r, (a, b) => `${a}+${str(b)}`, JoinWindows.ofTimeDifferenceAndGrace(10, 5)),
    );
    left('x', 'X', 100);
    left('a', 'LATE', 50); // 50 + 10 + 5 < 100
    expect(out).toEqual(['a=LATE+null@50']);
  });

  it('should emit unmatched records of both sides in an outer join once their windows close', () => {
    const { out, left, right } = setup((l, r) =>
      l.outerJoin(r, (a, b) => `${str(a)}+${str(b)}`, JoinWindows.ofTimeDifferenceWithNoGrace(5)),
    );
    left('a', 'L', 0);
    right('b', 'R', 2);
    right('c', 'R2', 5);
    expect(out).toEqual([]);
    left('c', 'L2', 6); // stream time 6: L's window closed (0 + 5 < 6), R's not (2 + 5 >= 6); L2 joins R2
    expect(out).toEqual(['a=L+null@0', 'c=L2+R2@6']);
    left('x', 'X', 10); // R's window has closed too
    expect(out).toEqual(['a=L+null@0', 'c=L2+R2@6', 'b=null+R@2']);
  });

  it('should buffer both sides in window stores that retain duplicates, in one sub-topology', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('left', Consumed.with(S, S))
      .join(
        builder.stream('right', Consumed.with(S, S)),
        (a, b) => a + b,
        JoinWindows.ofTimeDifferenceAndGrace(10, 5),
        StreamJoined.with(S, S, S).withStoreName('orders'),
      )
      .to('out', Produced.with(S, S));
    const topology = builder.build();
    expect(topology.subtopologies()).toHaveLength(1);
    expect(topology.subtopologies()[0]!.sourceTopics).toEqual(['left', 'right']);
    const stores = [...topology.stores().entries()].map(([name, def]) => {
      const b = def.builder as unknown as {
        retentionMs: number;
        supplier: { retainDuplicates: boolean; windowSizeMs: number };
      };
      return [name, b.retentionMs, b.supplier.windowSizeMs, b.supplier.retainDuplicates];
    });
    expect(stores).toEqual([
      // max(before + after, before, after) + grace + 1
      ['orders-this-join-store', 26, 20, true],
      ['orders-other-join-store', 26, 20, true],
    ]);
    const text = topology.describe().toString();
    expect(text).toContain('Processor: KSTREAM-WINDOWED-0000000002 (stores: [orders-this-join-store])');
    expect(text).toContain('Processor: KSTREAM-JOINTHIS-0000000004 (stores: [orders-other-join-store])');
    expect(text).toContain('Processor: KSTREAM-JOINOTHER-0000000005 (stores: [orders-this-join-store])');
    expect(text).toContain('Processor: KSTREAM-MERGE-0000000006 (stores: [])');
  });

  it('should repartition a re-keyed side before joining', () => {
    const builder = new StreamsBuilder();
    const out = collect(
      builder
        .stream('left', Consumed.with(S, S))
        .selectKey((_k, v) => v)
        .join(
          builder.stream('right', Consumed.with(S, S)),
          (a, b) => `${a}+${b}`,
          JoinWindows.ofTimeDifferenceWithNoGrace(10),
        ),
    );
    const topology = builder.build();
    expect(topology.subtopologies()).toHaveLength(2);
    // left source 0, key selector 1, right source 2: the topic is named after the stream's node.
    expect([...topology.internalTopics().keys()]).toEqual(['KSTREAM-KEY-SELECT-0000000001-repartition']);
    driver = new TopologyTestDriver(topology);
    driver.createInputTopic('right', S, S).pipeInput('k', 'R', 1);
    driver.createInputTopic('left', S, S).pipeInput('x', 'k', 2);
    expect(out).toEqual(['k=k+R@2']);
  });
});

describe('stream-table joins', () => {
  function setup(join: (s: KStream<string, string>, t: KTable<string, string>) => KStream<string, string>) {
    const builder = new StreamsBuilder();
    const out = collect(
      join(builder.stream('clicks', Consumed.with(S, S)), builder.table('users', Consumed.with(S, S))),
    );
    const topology = builder.build();
    driver = new TopologyTestDriver(topology);
    const clicks = driver.createInputTopic('clicks', S, S);
    const users = driver.createInputTopic('users', S, S);
    return { out, topology, click: clicks.pipeInput.bind(clicks), user: users.pipeInput.bind(users) };
  }

  it('should join each stream record with the table value at processing time (inner)', () => {
    const { out, topology, click, user } = setup((s, t) => s.join(t, (c, u) => `${c} by ${u}`));
    // The join reads the table's store: both topics are in one sub-topology.
    expect(topology.subtopologies()).toHaveLength(1);
    expect(topology.describe().toString()).toContain(
      'Processor: KSTREAM-JOIN-0000000004 (stores: [users-STATE-STORE-0000000001])',
    );
    user('u1', 'alice', 0);
    click('u1', 'c1', 1);
    click('u2', 'c2', 2); // no user: no result
    user('u1', 'alicia', 3); // a table update emits nothing
    click('u1', 'c3', 4);
    user('u1', null, 5);
    click('u1', 'c4', 6);
    expect(out).toEqual(['u1=c1 by alice@1', 'u1=c3 by alicia@4']);
  });

  it('should join every stream record in a left join, with null when the table has no value', () => {
    const { out, click, user } = setup((s, t) => s.leftJoin(t, (c, u) => `${c} by ${str(u)}`));
    user('u1', 'alice', 0);
    click('u1', 'c1', 1);
    click('u2', 'c2', 2);
    expect(out).toEqual(['u1=c1 by alice@1', 'u2=c2 by null@2']);
  });

  it('should repartition a re-keyed stream before a table join, naming the topic after Joined', () => {
    const builder = new StreamsBuilder();
    const users = builder.table('users', Consumed.with(S, S));
    const out = collect(
      builder
        .stream('clicks', Consumed.with(S, S))
        .map((_k, v) => ({ key: v.split('@')[1]!, value: v.split('@')[0]! }))
        .join(users, (c, u) => `${c} by ${u}`, Joined.with(S, S, S).withName('clicks-users')),
    );
    const topology = builder.build();
    expect([...topology.internalTopics().keys()]).toEqual(['clicks-users-repartition']);
    driver = new TopologyTestDriver(topology);
    driver.createInputTopic('users', S, S).pipeInput('u1', 'alice', 0);
    driver.createInputTopic('clicks', S, S).pipeInput(null, 'home@u1', 1);
    expect(out).toEqual(['u1=home by alice@1']);
  });
});

describe('table-table joins', () => {
  function run(
    join: (l: KTable<string, string>, r: KTable<string, string>) => KTable<string, string>,
    updates: readonly (readonly ['l' | 'r', string, string | null, number])[],
  ): string[] {
    const builder = new StreamsBuilder();
    const out = collect(
      join(builder.table('l', Consumed.with(S, S)), builder.table('r', Consumed.with(S, S))).toStream(),
    );
    driver = new TopologyTestDriver(builder.build());
    const l = driver.createInputTopic('l', S, S);
    const r = driver.createInputTopic('r', S, S);
    for (const [side, k, v, t] of updates) (side === 'l' ? l : r).pipeInput(k, v, t);
    return out;
  }

  const updates = [
    ['l', 'a', '1', 1],
    ['r', 'a', 'x', 2],
    ['l', 'a', '2', 3],
    ['r', 'a', null, 4],
    ['l', 'a', null, 5],
    ['r', 'b', 'y', 6],
  ] as const;
  const joiner = (a: string | null, b: string | null) => `${str(a)}${str(b)}`;

  it('should keep an inner join result while both sides have a value, updated when either changes', () => {
    expect(run((l, r) => l.join(r, joiner), updates)).toEqual(['a=1x@2', 'a=2x@3', 'a=null@4']);
  });

  it('should keep a left join result while the left side has a value', () => {
    expect(run((l, r) => l.leftJoin(r, joiner), updates)).toEqual([
      'a=1null@1',
      'a=1x@2',
      'a=2x@3',
      'a=2null@4',
      'a=null@5',
    ]);
  });

  it('should keep an outer join result while either side has a value', () => {
    expect(run((l, r) => l.outerJoin(r, joiner), updates)).toEqual([
      'a=1null@1',
      'a=1x@2',
      'a=2x@3',
      'a=2null@4',
      'a=null@5',
      'b=nully@6',
    ]);
  });

  it('should materialize the join result when asked and place both tables in one sub-topology', () => {
    const builder = new StreamsBuilder();
    builder
      .table('l', Consumed.with(S, S))
      .join(
        builder.table('r', Consumed.with(S, S)),
        (a, b) => a + b,
        Materialized.as<string, string>('joined').withValueSerde(S),
      );
    const topology = builder.build();
    expect(topology.subtopologies()).toHaveLength(1);
    driver = new TopologyTestDriver(topology);
    driver.createInputTopic('l', S, S).pipeInput('k', 'A', 1);
    driver.createInputTopic('r', S, S).pipeInput('k', 'B', 2);
    expect(driver.getKeyValueStore<string, ValueAndTimestamp<string>>('joined')!.get('k')).toEqual({
      value: 'AB',
      timestamp: 2,
    });
  });

  it('should look up a joined table through its value getter in a stream-table join', () => {
    const builder = new StreamsBuilder();
    const joined = builder
      .table('l', Consumed.with(S, S))
      .join(builder.table('r', Consumed.with(S, S)), (a, b) => `${a}${b}`)
      .mapValues((v) => v.toUpperCase());
    const out = collect(builder.stream('s', Consumed.with(S, S)).join(joined, (s, j) => `${s}:${j}`));
    driver = new TopologyTestDriver(builder.build());
    driver.createInputTopic('l', S, S).pipeInput('k', 'a', 1);
    driver.createInputTopic('s', S, S).pipeInput('k', 'one', 2); // right side missing: no joined value
    driver.createInputTopic('r', S, S).pipeInput('k', 'b', 3);
    driver.createInputTopic('s', S, S).pipeInput('k', 'two', 4);
    expect(out).toEqual(['k=two:AB@4']);
  });
});

describe('co-partitioning of joins', () => {
  it('should make the runtime refuse joined topics with different partition counts', () => {
    const builder = new StreamsBuilder();
    builder.stream('clicks').join(builder.table('users'), (c, u) => [c, u]);
    builder.stream('left').join(builder.stream('right'), (a, b) => [a, b], JoinWindows.ofTimeDifferenceWithNoGrace(1));
    const topology = builder.build();
    const counts = (clicks: number, right: number) =>
      new Map([
        ['clicks', clicks],
        ['users', 3],
        ['left', 3],
        ['right', right],
      ]);
    expect(() => planTopics(topology, 'app', counts(3, 3), 1)).not.toThrow();
    expect(() => planTopics(topology, 'app', counts(2, 3), 1)).toThrowError(/must be co-partitioned/);
    expect(() => planTopics(topology, 'app', counts(3, 4), 1)).toThrowError(/must be co-partitioned/);
  });
});
