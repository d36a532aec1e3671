import { afterEach, describe, expect, it } from 'vitest';
import type { Record } from '@kaskade/processor-api';
import type { ProcessorContext, ValueAndTimestamp } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import { Consumed, JoinWindows, Materialized, Produced, StreamsBuilder, TimeWindows } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { L, S, windowed } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

describe('DSL defaults and options', () => {
  it("should fall back to the application's default serdes for sources, sinks and stores", () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in')
      .groupByKey()
      .reduce((a, b) => `${String(a)}${String(b)}`, Materialized.as('concat'))
      .toStream()
      .to('out');
    driver = new TopologyTestDriver(builder.build(), { defaultKeySerde: S, defaultValueSerde: S });
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'a', 1);
    input.pipeInput('k', 'b', 2);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'a' },
      { key: 'k', value: 'ab' },
    ]);
    expect(driver.getKeyValueStore<string, ValueAndTimestamp<string>>('concat')!.get('k')).toEqual({
      value: 'ab',
      timestamp: 2,
    });
  });

  it('should inherit the serdes of the source down to a stateful operation and the sink', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, Serdes.Int32()))
      .filter((_k, v) => v > 0)
      .groupByKey()
      .reduce((a, b) => a + b)
      .toStream()
      .to('out');
    // Bytes are the defaults: only inherited serdes can make this work.
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, Serdes.Int32());
    input.pipeInput('k', 2, 1);
    input.pipeInput('k', 3, 2);
    expect(driver.createOutputTopic('out', S, Serdes.Int32()).readValuesToList()).toEqual([2, 5]);
  });

  it('should apply the timestamp extractor of Consumed', () => {
    const builder = new StreamsBuilder();
    builder
      .stream(
        'in',
        Consumed.with(S, S).withTimestampExtractor({ extract: (r) => Number(String(r.value).split('@')[1]) }),
      )
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100))
      .count()
      .toStream()
      .map((k, v) => ({ key: windowed(k), value: v }))
      .to('out', Produced.with(S, L));
    driver = new TopologyTestDriver(builder.build());
    driver.createInputTopic('in', S, S).pipeInput('k', 'event@250', 0);
    expect(
      driver
        .createOutputTopic('out', S, L)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
    ).toEqual([['k@200/300', 1, 250]]);
  });

  it('should join within asymmetric windows: before and after bound the other side relative to the left record', () => {
    const builder = new StreamsBuilder();
    const out: string[] = [];
    builder
      .stream('left', Consumed.with(S, S))
      .join(
        builder.stream('right', Consumed.with(S, S)),
        (a, b) => `${a}+${b}`,
        JoinWindows.ofTimeDifferenceWithNoGrace(10).before(0).after(5),
      )
      .foreach((k, v) => out.push(`${k}=${v}`));
    driver = new TopologyTestDriver(builder.build());
    const left = driver.createInputTopic('left', S, S);
    const right = driver.createInputTopic('right', S, S);
    left.pipeInput('a', 'L', 10);
    right.pipeInput('a', 'R-early', 9); // before the left record: outside [10, 15]
    right.pipeInput('a', 'R-ok', 15);
    right.pipeInput('a', 'R-late', 16);
    expect(out).toEqual(['a=L+R-ok']);
  });

  it('should drop and count join records without a key or a value', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('left', Consumed.with(S, S))
      .join(builder.stream('right', Consumed.with(S, S)), (a, b) => a + b, JoinWindows.ofTimeDifferenceWithNoGrace(10))
      .to('out', Produced.with(S, S));
    driver = new TopologyTestDriver(builder.build());
    const left = driver.createInputTopic('left', S, S);
    left.pipeInput(null, 'x', 1);
    left.pipeInput('k', null, 2);
    expect(driver.metrics().droppedByReason).toEqual({ 'null-key': 1, 'null-value': 1 });
  });

  it('should let processValues change values but not keys, and keep the stream free of repartitioning', () => {
    const builder = new StreamsBuilder();
    const stream = builder.stream('in', Consumed.with(S, S)).processValues(() => {
      let ctx: ProcessorContext<string, number>;
      return {
        init: (c: ProcessorContext<string, number>) => void (ctx = c),
        process: (r: Record<string, string>) => ctx.forward(r.withValue(r.value.length)),
      };
    });
    stream.groupByKey().count();
    const topology = builder.build();
    expect(topology.subtopologies()).toHaveLength(1);
    driver = new TopologyTestDriver(topology);
    driver.createInputTopic('in', S, S).pipeInput('k', 'abc', 0);
    expect(
      driver.getKeyValueStore<string, ValueAndTimestamp<number>>('KSTREAM-AGGREGATE-STATE-STORE-0000000002')!.get('k'),
    ).toEqual({ value: 1, timestamp: 0 });
  });
});
