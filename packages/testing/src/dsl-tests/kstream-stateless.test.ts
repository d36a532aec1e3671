import { afterEach, describe, expect, it } from 'vitest';
import { Headers, Record } from '@kaskade/processor-api';
import type { FixedKeyProcessorContext, KeyValueStore, ProcessorContext } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import { Branched, Consumed, Named, Produced, StreamsBuilder } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { S } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function start(builder: StreamsBuilder): TopologyTestDriver {
  driver = new TopologyTestDriver(builder.build(), { initialWallClockTimeMs: 0 });
  return driver;
}

describe('KStream stateless operators', () => {
  it('should keep matching records with filter and the others with filterNot', () => {
    const builder = new StreamsBuilder();
    const input = builder.stream('in', Consumed.with(S, S));
    input.filter((_k, v) => v.startsWith('a')).to('yes', Produced.with(S, S));
    input.filterNot((_k, v) => v.startsWith('a')).to('no', Produced.with(S, S));
    const d = start(builder);
    const topic = d.createInputTopic('in', S, S);
    topic.pipeInput('1', 'apple', 10);
    topic.pipeInput('2', 'banana', 20);
    topic.pipeInput('3', 'avocado', 30);
    expect(d.createOutputTopic('yes', S, S).readKeyValuesToList()).toEqual([
      { key: '1', value: 'apple' },
      { key: '3', value: 'avocado' },
    ]);
    expect(d.createOutputTopic('no', S, S).readKeyValuesToList()).toEqual([{ key: '2', value: 'banana' }]);
  });

  it('should transform keys and values with map, mapValues, flatMap, flatMapValues and selectKey', () => {
    const builder = new StreamsBuilder();
    const input = builder.stream('in', Consumed.with(S, S));
    input.map((k, v) => ({ key: v, value: k })).to('map', Produced.with(S, S));
    input.mapValues((v, k) => `${k}:${v.toUpperCase()}`).to('mapValues', Produced.with(S, S));
    input.flatMap((k, v) => v.split(' ').map((w) => ({ key: w, value: k }))).to('flatMap', Produced.with(S, S));
    input.flatMapValues((v) => v.split(' ')).to('flatMapValues', Produced.with(S, S));
    input.selectKey((_k, v) => v.length).to('selectKey', Produced.with(Serdes.Int32(), S));
    const d = start(builder);
    d.createInputTopic('in', S, S).pipeInput('k', 'x yz', 5);
    expect(d.createOutputTopic('map', S, S).readKeyValuesToList()).toEqual([{ key: 'x yz', value: 'k' }]);
    expect(d.createOutputTopic('mapValues', S, S).readKeyValuesToList()).toEqual([{ key: 'k', value: 'k:X YZ' }]);
    expect(d.createOutputTopic('flatMap', S, S).readKeyValuesToList()).toEqual([
      { key: 'x', value: 'k' },
      { key: 'yz', value: 'k' },
    ]);
    expect(d.createOutputTopic('flatMapValues', S, S).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'x' },
      { key: 'k', value: 'yz' },
    ]);
    expect(d.createOutputTopic('selectKey', Serdes.Int32(), S).readKeyValuesToList()).toEqual([
      { key: 4, value: 'x yz' },
    ]);
  });

  it('should keep the input timestamp and headers on derived records', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .flatMapValues((v) => [v, v])
      .mapValues((v) => v + '!')
      .to('out', Produced.with(S, S));
    const d = start(builder);
    d.createInputTopic('in', S, S).pipeInput('k', 'v', 1234, Headers.of([{ key: 'trace', value: 't-1' }]));
    const out = d.createOutputTopic('out', S, S).readRecordsToList();
    expect(out.map((r) => [r.value, r.timestamp, r.headers.lastString('trace')])).toEqual([
      ['v!', 1234, 't-1'],
      ['v!', 1234, 't-1'],
    ]);
  });

  it('should call peek and foreach actions for every record, peek passing records on', () => {
    const peeked: string[] = [];
    const seen: string[] = [];
    const builder = new StreamsBuilder();
    const input = builder.stream('in', Consumed.with(S, S));
    input.peek((k, v) => peeked.push(`${k}=${v}`)).to('out', Produced.with(S, S));
    input.foreach((k, v) => seen.push(`${k}=${v}`));
    const d = start(builder);
    const topic = d.createInputTopic('in', S, S);
    topic.pipeInput('a', '1', 0);
    topic.pipeInput('b', '2', 0);
    expect(peeked).toEqual(['a=1', 'b=2']);
    expect(seen).toEqual(['a=1', 'b=2']);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['1', '2']);
  });

  it('should route each record to the first matching branch of split, else to the default branch', () => {
    const builder = new StreamsBuilder();
    const consumed: string[] = [];
    const branches = builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.Int32()))
      .split(Named.as('n-'))
      .branch((_k, v) => v < 0, Branched.as('negative'))
      .branch(
        (_k, v) => v === 0,
        Branched.withConsumer((s) => s.foreach((k) => consumed.push(k))),
      )
      .branch(
        (_k, v) => v < 10,
        Branched.withFunction((s) => s.mapValues((v) => v * 100), 'small'),
      )
      .defaultBranch(Branched.as('large'));
    // Keys: the split's name + the branch's name, or its position (the consumer branch is not in the map).
    expect([...branches.keys()]).toEqual(['n-negative', 'n-small', 'n-large']);
    branches.get('n-negative')!.to('negative', Produced.with(Serdes.String(), Serdes.Int32()));
    branches.get('n-small')!.to('small', Produced.with(Serdes.String(), Serdes.Int32()));
    branches.get('n-large')!.to('large', Produced.with(Serdes.String(), Serdes.Int32()));
    const d = start(builder);
    const topic = d.createInputTopic('in', Serdes.String(), Serdes.Int32());
    // -1 matches the first predicate only; 5 also satisfies none before the third.
    for (const [k, v] of [
      ['a', -1],
      ['b', 0],
      ['c', 5],
      ['d', 50],
      ['e', -7],
    ] as const) {
      topic.pipeInput(k, v, 0);
    }
    expect(d.createOutputTopic('negative', S, Serdes.Int32()).readKeyValuesToList()).toEqual([
      { key: 'a', value: -1 },
      { key: 'e', value: -7 },
    ]);
    expect(consumed).toEqual(['b']);
    expect(d.createOutputTopic('small', S, Serdes.Int32()).readKeyValuesToList()).toEqual([{ key: 'c', value: 500 }]);
    expect(d.createOutputTopic('large', S, Serdes.Int32()).readKeyValuesToList()).toEqual([{ key: 'd', value: 50 }]);
  });

  it('should name unnamed branches by position, the default branch 0, and drop records no branch takes', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', Consumed.with(S, S))
      .split()
      .branch((_k, v) => v === 'x')
      .branch((_k, v) => v === 'y')
      .noDefaultBranch();
    // split() is processor 1 (after the source); each branch takes one counter value too.
    expect([...branches.keys()]).toEqual(['KSTREAM-BRANCH-00000000011', 'KSTREAM-BRANCH-00000000012']);
    branches.get('KSTREAM-BRANCH-00000000011')!.to('x', Produced.with(S, S));
    branches.get('KSTREAM-BRANCH-00000000012')!.to('y', Produced.with(S, S));
    const d = start(builder);
    const topic = d.createInputTopic('in', S, S);
    topic.pipeInput('1', 'x', 0);
    topic.pipeInput('2', 'z', 0);
    topic.pipeInput('3', 'y', 0);
    expect(d.createOutputTopic('x', S, S).readValuesToList()).toEqual(['x']);
    expect(d.createOutputTopic('y', S, S).readValuesToList()).toEqual(['y']);
    expect(d.producedTopicNames().sort()).toEqual(['x', 'y']);
  });

  it('should interleave both inputs with merge', () => {
    const builder = new StreamsBuilder();
    const a = builder.stream('a', Consumed.with(S, S));
    const b = builder.stream('b', Consumed.with(S, S));
    a.merge(b).to('out', Produced.with(S, S));
    const d = start(builder);
    d.createInputTopic('a', S, S).pipeInput('1', 'from-a', 1);
    d.createInputTopic('b', S, S).pipeInput('2', 'from-b', 2);
    d.createInputTopic('a', S, S).pipeInput('3', 'from-a-again', 3);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['from-a', 'from-b', 'from-a-again']);
  });

  it('should read several topics with one stream and pick the output topic per record', () => {
    const builder = new StreamsBuilder();
    builder.stream(['t1', 't2'], Consumed.with(S, S)).to((_k, v) => `out-${v}`, Produced.with(S, S));
    const d = start(builder);
    d.createInputTopic('t1', S, S).pipeInput('k', 'red', 0);
    d.createInputTopic('t2', S, S).pipeInput('k', 'blue', 0);
    expect(d.createOutputTopic('out-red', S, S).readValuesToList()).toEqual(['red']);
    expect(d.createOutputTopic('out-blue', S, S).readValuesToList()).toEqual(['blue']);
  });

  it('should run Processor API processors with process and processValues, with stores added to the builder', () => {
    const builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('seen'), S, Serdes.Int64()));
    builder
      .stream('in', Consumed.with(S, S))
      .process(() => {
        let ctx: ProcessorContext<string, number>;
        let store: KeyValueStore<string, number>;
        return {
          init(c: ProcessorContext<string, number>) {
            ctx = c;
            store = c.getStateStore<KeyValueStore<string, number>>('seen');
          },
          process(r: Record<string, string>) {
            const n = (store.get(r.value) ?? 0) + 1;
            store.put(r.value, n);
            ctx.forward(new Record(r.value, n, r.timestamp));
          },
        };
      }, 'seen')
      .processValues(() => {
        let ctx: FixedKeyProcessorContext<string, string>;
        return {
          init(c: FixedKeyProcessorContext<string, string>) {
            ctx = c;
          },
          process(r: Record<string, number>) {
            ctx.forward(r.withValue(`${r.key}#${r.value}`));
          },
        };
      }, Named.as('describe'))
      .to('out', Produced.with(S, S));
    const d = start(builder);
    const topic = d.createInputTopic('in', S, S);
    topic.pipeInput('1', 'a', 0);
    topic.pipeInput('2', 'b', 0);
    topic.pipeInput('3', 'a', 0);
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'a', value: 'a#1' },
      { key: 'b', value: 'b#1' },
      { key: 'a', value: 'a#2' },
    ]);
    expect(builder.build().describe().toString()).toContain('Processor: describe (stores: [])');
  });

  it('should refuse a process() store that was never added, and a store added but never used', () => {
    const b1 = new StreamsBuilder();
    expect(() => b1.stream('in').process(() => ({ process: () => undefined }), 'missing')).toThrowError(
      /unknown store "missing"/,
    );
    const b2 = new StreamsBuilder();
    b2.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('lonely'), S, S));
    b2.stream('in').to('out');
    expect(() => b2.build()).toThrowError(/store "lonely" was added with addStateStore but no processor uses it/);
  });

  it('should name the default branch with position 0 and return it with the others', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', Consumed.with(S, S))
      .split(Named.as('s-'))
      .branch((_k, v) => v === 'x')
      .defaultBranch();
    expect([...branches.keys()]).toEqual(['s-1', 's-0']);
    branches.get('s-0')!.to('rest', Produced.with(S, S));
    const d = start(builder);
    d.createInputTopic('in', S, S).pipeInput('k', 'other', 0);
    expect(d.createOutputTopic('rest', S, S).readValuesToList()).toEqual(['other']);
  });
});
