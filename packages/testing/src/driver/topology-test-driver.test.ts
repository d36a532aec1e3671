import { afterEach, describe, expect, it } from 'vitest';
import { Headers, PunctuationType, Record } from '@kaskade/processor-api';
import type { ProcessorContext } from '@kaskade/processor-api';
import { Serdes, Topology } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import { TopologyTestDriver } from './topology-test-driver.js';
import { counting, mapper } from './driver-test-processors.js';

const S = Serdes.String();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

describe('TopologyTestDriver with the Processor API', () => {
  it('should pass records through processors to a sink, keeping timestamps and headers', () => {
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor(
        'filter',
        mapper<string, string, string, string>((r) => (r.value.startsWith('x') ? undefined : r)),
        'src',
      )
      .addProcessor(
        'upper',
        mapper<string, string, string, string>((r) => r.withValue(r.value.toUpperCase())),
        'filter',
      )
      .addSink('out', 'out', { keySerde: S, valueSerde: S }, 'upper');
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    const output = driver.createOutputTopic('out', S, S);
    input.pipeInput('a', 'hello', 1000, Headers.of([{ key: 'trace', value: 't1' }]));
    input.pipeInput('b', 'xdrop', 2000);
    input.pipeInput('c', 'world', 3000);
    const records = output.readRecordsToList();
    expect(records.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'HELLO', 1000],
      ['c', 'WORLD', 3000],
    ]);
    expect(records[0]!.headers.lastString('trace')).toBe('t1');
    expect(output.isEmpty()).toBe(true);
  });

  it('should forward to a named child only', () => {
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor(
        'router',
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (c: ProcessorContext<string, string>) => (ctx = c),
            process: (r: Record<string, string>) => ctx.forward(r, r.value === 'even' ? 'even-sink' : 'odd-sink'),
          };
        },
        'src',
      )
      .addSink('even-sink', 'even', { keySerde: S, valueSerde: S }, 'router')
      .addSink('odd-sink', 'odd', { keySerde: S, valueSerde: S }, 'router');
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('1', 'odd', 0);
    input.pipeInput('2', 'even', 0);
    input.pipeInput('3', 'odd', 0);
    expect(driver.createOutputTopic('even', S, S).readKeyValuesToList()).toEqual([{ key: '2', value: 'even' }]);
    expect(driver.createOutputTopic('odd', S, S).readValuesToList()).toEqual(['odd', 'odd']);
  });

  it('should choose the output topic per record with a topic name extractor', () => {
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addSink('out', (_k: string, v: string) => `out-${v}`, { keySerde: S, valueSerde: S }, 'src');
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k1', 'red', 0);
    input.pipeInput('k2', 'blue', 0);
    expect(driver.createOutputTopic('out-red', S, S).readKeyValuesToList()).toEqual([{ key: 'k1', value: 'red' }]);
    expect(driver.createOutputTopic('out-blue', S, S).readKeyValuesToList()).toEqual([{ key: 'k2', value: 'blue' }]);
  });

  it('should fire STREAM_TIME punctuation as stream time advances, not with the wall clock', () => {
    const fired: number[] = [];
    const topology = new Topology().addSource('src', 'in', { keySerde: S, valueSerde: S }).addProcessor(
      'p',
      () => ({
        init: (c: ProcessorContext) => void c.schedule(1000, PunctuationType.STREAM_TIME, (ts) => fired.push(ts)),
        process: () => undefined,
      }),
      'src',
    );
    driver = new TopologyTestDriver(topology, { initialWallClockTimeMs: 0 });
    const input = driver.createInputTopic('in', S, S);
    expect(fired).toEqual([]);
    // Aligned to 0, as in Kafka Streams: the first record fires it.
    input.pipeInput('k', 'v', 500);
    expect(fired).toEqual([500]);
    driver.advanceWallClockTime(10_000);
    expect(fired).toEqual([500]);
    input.pipeInput('k', 'v', 999);
    expect(fired).toEqual([500]);
    input.pipeInput('k', 'v', 1000);
    expect(fired).toEqual([500, 1000]);
    input.pipeInput('k', 'v', 1500);
    // An out-of-order record does not move stream time back.
    input.pipeInput('k', 'v', 200);
    expect(fired).toEqual([500, 1000]);
    // Jumping several intervals fires once, at the new stream time; the next is the following multiple.
    input.pipeInput('k', 'v', 4200);
    expect(fired).toEqual([500, 1000, 4200]);
    input.pipeInput('k', 'v', 4999);
    input.pipeInput('k', 'v', 5000);
    expect(fired).toEqual([500, 1000, 4200, 5000]);
  });

  it('should fire WALL_CLOCK_TIME punctuation when the wall clock advances, and stop after cancel', () => {
    const fired: number[] = [];
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor(
        'p',
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (c: ProcessorContext<string, string>) => {
              ctx = c;
              const handle = c.schedule(100, PunctuationType.WALL_CLOCK_TIME, (ts) => {
                fired.push(ts);
                ctx.forward(new Record('tick', String(ts), ts));
                if (fired.length === 3) handle.cancel();
              });
            },
            process: () => undefined,
          };
        },
        'src',
      )
      .addSink('out', 'ticks', { keySerde: S, valueSerde: S }, 'p');
    driver = new TopologyTestDriver(topology, { initialWallClockTimeMs: 10_000 });
    driver.advanceWallClockTime(50);
    expect(fired).toEqual([]);
    driver.advanceWallClockTime(50);
    expect(fired).toEqual([10_100]);
    driver.advanceWallClockTime(100);
    driver.advanceWallClockTime(100);
    driver.advanceWallClockTime(100);
    expect(fired).toEqual([10_100, 10_200, 10_300]);
    expect(driver.createOutputTopic('ticks', S, S).readValuesToList()).toEqual(['10100', '10200', '10300']);
  });

  it('should carry records through an internal repartition topic into a second sub-topology', () => {
    const topology = new Topology()
      .addInternalTopic('by-value-repartition')
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor(
        'rekey',
        mapper<string, string, string, string>((r) => r.withKey(r.value)),
        'src',
      )
      .addSink('to-repartition', 'by-value-repartition', { keySerde: S, valueSerde: S }, 'rekey')
      .addSource('from-repartition', 'by-value-repartition', { keySerde: S, valueSerde: S })
      .addProcessor('count', counting, 'from-repartition')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, Serdes.Int64()), 'count')
      .addSink('out', 'out', { keySerde: S, valueSerde: Serdes.Int64() }, 'count');
    expect(topology.subtopologies()).toHaveLength(2);
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('1', 'x', 0);
    input.pipeInput('2', 'y', 0);
    input.pipeInput('3', 'x', 0);
    expect(driver.createOutputTopic('out', S, Serdes.Int64()).readKeyValuesToList()).toEqual([
      { key: 'x', value: 1 },
      { key: 'y', value: 1 },
      { key: 'x', value: 2 },
    ]);
    expect(driver.producedTopicNames()).toContain('test-driver-by-value-repartition');
  });
});
