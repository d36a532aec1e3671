// cogroup: describe() and outputs against Kafka Streams 4.3.1 for the same programs and inputs (conformance/
// src/main/java/conformance/Main.java: cogroupThree, COGROUP_*, cogroupInputs; the expected lines are its output), and
// the errors of bad arguments.
import { afterEach, describe, expect, it } from 'vitest';
import { TopologyError } from '@kaskade/processor-api';
import type { Windowed } from '@kaskade/processor-api';
import {
  Consumed,
  Grouped,
  Materialized,
  Named,
  Produced,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
} from '@kaskade/dsl';
import type { CogroupedKStream, KTable } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { S, windowed } from './dsl-test-helpers.js';
import { KAFKA_STREAMS_DESCRIBE } from './kafka-streams-describe.expected.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** Three grouped streams: a and b by key, c re-keyed (so it reads a repartition topic). */
function cogroupThree(b: StreamsBuilder): CogroupedKStream<string, string> {
  const ga = b.stream('a', Consumed.with(S, S)).groupByKey();
  const gb = b.stream('b', Consumed.with(S, S)).groupByKey();
  const gc = b.stream('c', Consumed.with(S, S)).groupBy((k) => k!, Grouped.with(S, S));
  return ga
    .cogroup<string>((_k, v, agg) => agg + 'a' + v)
    .cogroup(gb, (_k, v, agg) => agg + 'b' + v)
    .cogroup(gc, (_k, v, agg) => agg + 'c' + v);
}

function windowedOut(table: KTable<Windowed<string>, string>): void {
  table
    .toStream()
    .map((k, v) => ({ key: windowed(k), value: v }))
    .to('out', Produced.with(S, S));
}

const cases: { readonly [name: string]: (b: StreamsBuilder) => void } = {
  'cogroup-three': (b) =>
    cogroupThree(b)
      .aggregate(() => '', Materialized.with(S, S))
      .toStream()
      .to('out', Produced.with(S, S)),
  'cogroup-named': (b) =>
    cogroupThree(b)
      .aggregate(
        () => '',
        Named.as('co'),
        Materialized.as<string, string>('co-store').withKeySerde(S).withValueSerde(S),
      )
      .toStream()
      .to('out', Produced.with(S, S)),
  'cogroup-tumbling-window': (b) =>
    windowedOut(
      cogroupThree(b)
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
        .aggregate(() => '', Materialized.with(S, S)),
    ),
  'cogroup-sliding-window': (b) =>
    windowedOut(
      cogroupThree(b)
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5))
        .aggregate(() => '', Materialized.with(S, S)),
    ),
  'cogroup-session-window': (b) =>
    windowedOut(
      cogroupThree(b)
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5))
        .aggregate(
          () => '',
          (_k, x, y) => x + '|' + y,
          Materialized.with(S, S),
        ),
    ),
};

const LINE = /^(\S+) (.*?)=(.*?)@(\d+) ->/;
const str = (v: unknown): string => (v === null || v === undefined ? 'null' : String(v));

/** Pipes the inputs named by `expected` one by one and returns the same kind of lines as the conformance tool. */
function run(build: (b: StreamsBuilder) => void, expected: readonly string[]): string[] {
  const builder = new StreamsBuilder();
  build(builder);
  driver = new TopologyTestDriver(builder.build());
  const out = driver.createOutputTopic('out', S, S);
  return expected.map((line) => {
    const [, topic, key, value, ts] = LINE.exec(line)!;
    driver!.createInputTopic(topic!, S, S).pipeInput(key!, value!, Number(ts));
    const outputs = out.readRecordsToList().map((r) => ` ${str(r.key)}=${str(r.value)}@${r.timestamp}`);
    return `${topic} ${key}=${value}@${ts} ->${outputs.join('')}`;
  });
}

describe('cogroup as Kafka Streams 4.3.1 describes it (CogroupedStreamAggregateBuilder)', () => {
  for (const [name, build] of Object.entries(cases)) {
    it(`should describe the ${name} topology byte for byte as Kafka Streams does`, () => {
      const builder = new StreamsBuilder();
      build(builder);
      expect(builder.build().describe().toString()).toBe(KAFKA_STREAMS_DESCRIBE[name]);
    });
  }
});

describe('cogroup outputs as Kafka Streams 4.3.1 computes them', () => {
  it('should fold three grouped streams (one re-keyed) into one aggregate per key', () => {
    const expected = [
      'a k=1@1 -> k=a1@1',
      'b k=2@3 -> k=a1b2@3',
      'c k=3@5 -> k=a1b2c3@5',
      'a j=4@12 -> j=a4@12',
      'c k=5@14 -> k=a1b2c3c5@14',
      'b k=6@30 -> k=a1b2c3c5b6@30',
      'a k=7@8 -> k=a1b2c3c5b6a7@30',
      'c j=8@40 -> j=a4c8@40',
      'a k=9@24 -> k=a1b2c3c5b6a7a9@30',
    ];
    expect(run(cases['cogroup-three']!, expected)).toEqual(expected);
  });

  it('should fold three grouped streams into tumbling windows, each stream judging lateness by its own time', () => {
    const expected = [
      'a k=1@1 -> k@0/10=a1@1',
      'b k=2@3 -> k@0/10=a1b2@3',
      'c k=3@5 -> k@0/10=a1b2c3@5',
      'a j=4@12 -> j@10/20=a4@12',
      'c k=5@14 -> k@10/20=c5@14',
      'b k=6@30 -> k@30/40=b6@30',
      'a k=7@8 -> k@0/10=a7@8',
      'c j=8@40 -> j@40/50=c8@40',
      'a k=9@24 -> k@20/30=a9@24',
    ];
    expect(run(cases['cogroup-tumbling-window']!, expected)).toEqual(expected);
  });

  it('should fold three grouped streams into sliding windows', () => {
    const expected = [
      'a k=1@1 -> k@0/10=a1@1',
      'b k=2@3 -> k@2/12=b2@3 k@0/10=a1b2@3',
      'c k=3@5 -> k@2/12=b2c3@5 k@4/14=c3@5 k@0/10=a1b2c3@5',
      'a j=4@12 -> j@2/12=a4@12',
      'c k=5@14 -> k@4/14=c3c5@14 k@6/16=c5@14',
      'b k=6@30 -> k@20/30=b6@30',
      'a k=7@8 -> k@2/12=b2c3a7@8 k@4/14=c3c5a7@14 k@6/16=c5a7@14 k@9/19=c5@14 k@0/10=a1b2c3a7@8',
      'c j=8@40 -> j@30/40=c8@40',
      'a k=9@24 -> k@20/30=b6a9@30 k@15/25=a9@24 k@14/24=c5a9@24 k@25/35=b6@30',
    ];
    expect(run(cases['cogroup-sliding-window']!, expected)).toEqual(expected);
  });

  it('should fold three grouped streams into sessions, merging them with the merger', () => {
    const expected = [
      'a k=1@1 -> k@1/1=a1@1',
      'b k=2@3 -> k@1/1=null@1 k@1/3=|a1b2@3',
      'c k=3@5 -> k@1/3=null@3 k@1/5=||a1b2c3@5',
      'a j=4@12 -> j@12/12=a4@12',
      'c k=5@14 -> k@1/5=null@5 k@1/14=|||a1b2c3c5@14',
      'b k=6@30 -> k@30/30=b6@30',
      'a k=7@8 -> k@8/8=a7@8',
      'c j=8@40 -> j@40/40=c8@40',
      'a k=9@24 -> k@30/30=null@30 k@24/30=|b6a9@30',
    ];
    expect(run(cases['cogroup-session-window']!, expected)).toEqual(expected);
  });

  it('should keep the aggregates in the named store, queryable by key', () => {
    const expected = [
      'a k=1@1 -> k=a1@1',
      'b k=2@3 -> k=a1b2@3',
      'c k=3@5 -> k=a1b2c3@5',
      'a j=4@12 -> j=a4@12',
      'c k=5@14 -> k=a1b2c3c5@14',
      'b k=6@30 -> k=a1b2c3c5b6@30',
      'a k=7@8 -> k=a1b2c3c5b6a7@30',
      'c j=8@40 -> j=a4c8@40',
      'a k=9@24 -> k=a1b2c3c5b6a7a9@30',
    ];
    run(cases['cogroup-named']!, expected);
    const store = driver!.getKeyValueStore<string, { value: string }>('co-store')!;
    expect(store.get('k')?.value).toBe('a1b2c3c5b6a7a9');
    expect(store.get('j')?.value).toBe('a4c8');
  });
});

describe('cogroup arguments', () => {
  const grouped = (b: StreamsBuilder, topic: string) => b.stream(topic, Consumed.with(S, S)).groupByKey();

  it('should refuse a missing aggregator, initializer or merger with a TopologyError', () => {
    const b = new StreamsBuilder();
    expect(() => grouped(b, 'z').cogroup(undefined as never)).toThrow(/cogroup\(\) needs an aggregator function/);
    const co = grouped(b, 'a').cogroup<string>((_k, v, agg) => agg + v);
    expect(() => co.cogroup(grouped(b, 'b'), 'x' as never)).toThrow(TopologyError);
    expect(() => co.aggregate(undefined as never)).toThrow(/needs an initializer function/);
    expect(() =>
      co.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).aggregate(() => '', undefined as never),
    ).toThrow(/needs an initializer and a merger function/);
  });

  it('should refuse the same grouped stream twice and a grouped stream of another builder', () => {
    const b = new StreamsBuilder();
    const ga = grouped(b, 'a');
    const co = ga.cogroup<string>((_k, v, agg) => agg + v);
    expect(() => co.cogroup(ga, (_k, v, agg) => agg + v)).toThrow(/already part of this cogroup/);
    expect(() => co.cogroup(grouped(new StreamsBuilder(), 'b'), (_k, v, agg) => agg + v)).toThrow(
      /same StreamsBuilder/,
    );
  });
});
