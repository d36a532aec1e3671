import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '@kaskade/core';
import {
  BufferConfig,
  Consumed,
  EmitStrategy,
  Produced,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
} from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { S, windowed } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

interface Emitted {
  readonly key: string;
  readonly value: unknown;
  readonly timestamp: number;
}

/** Feeds (key, timestamp) records with a dummy value. */
function pipe(d: TopologyTestDriver, records: readonly (readonly [string, number])[]): void {
  const input = d.createInputTopic('in', S, S);
  for (const [key, ts] of records) input.pipeInput(key, 'v', ts);
}

describe('suppress', () => {
  it('should emit one final result per window once stream time passes window end + grace', () => {
    const builder = new StreamsBuilder();
    const out: Emitted[] = [];
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .process(() => {
        return {
          process: (r) => void out.push({ key: windowed(r.key), value: r.value, timestamp: r.timestamp }),
        };
      });
    driver = new TopologyTestDriver(builder.build());
    pipe(driver, [
      ['a', 1],
      ['a', 3],
      ['b', 4],
      ['a', 12], // stream time 12: [0,10) closes at 15
    ]);
    expect(out).toEqual([]);
    pipe(driver, [['b', 15]]);
    // Final counts of [0,10), stamped with the timestamp of each window's latest update.
    expect(out).toEqual([
      { key: 'a@0/10', value: 2, timestamp: 3 },
      { key: 'b@0/10', value: 1, timestamp: 4 },
    ]);
    out.length = 0;
    pipe(driver, [
      ['a', 2], // late for [0,10): dropped by the aggregation, nothing more is emitted for it
      ['a', 26],
    ]);
    expect(out).toEqual([
      { key: 'a@10/20', value: 1, timestamp: 12 },
      { key: 'b@10/20', value: 1, timestamp: 15 },
    ]);
    expect(driver.metrics().droppedByReason).toEqual({ late: 1 });
    // The buffer is a logged store: what is held back survives a restart through its changelog.
    expect(driver.producedTopicNames()).toContain('test-driver-KTABLE-SUPPRESS-STATE-STORE-0000000004-changelog');
  });

  it('should give the same final results with emitStrategy(onWindowClose)', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .map((k, v) => ({ key: windowed(k), value: v }))
      .to('out', Produced.with(S, Serdes.Int64()));
    // The aggregate processor emits final results at most once a second of wall-clock time by default (as Kafka
    // Streams does; the conformance case emit-on-window-close-throttled): the driver's clock stands still, so no throttle.
    driver = new TopologyTestDriver(builder.build(), { emitOnWindowCloseIntervalMs: 0 });
    pipe(driver, [
      ['a', 1],
      ['a', 3],
      ['b', 4],
      ['a', 12],
    ]);
    const output = driver.createOutputTopic('out', S, Serdes.Int64());
    expect(output.readKeyValuesToList()).toEqual([]);
    pipe(driver, [['b', 15]]);
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'a@0/10', value: 2 },
      { key: 'b@0/10', value: 1 },
    ]);
  });

  it('should throttle emitStrategy(onWindowClose) to once per second of wall-clock time by default', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .map((k, v) => ({ key: windowed(k), value: v }))
      .to('out', Produced.with(S, Serdes.Int64()));
    driver = new TopologyTestDriver(builder.build(), { initialWallClockTimeMs: 1_000_000 });
    const output = driver.createOutputTopic('out', S, Serdes.Int64());
    // The first record takes the emission slot (nothing closed yet); within the next second of wall-clock time nothing
    // is emitted, though [0, 10) closed (stream time 15 = end + grace).
    pipe(driver, [
      ['a', 1],
      ['b', 15],
    ]);
    expect(output.readKeyValuesToList()).toEqual([]);
    driver.advanceWallClockTime(999);
    pipe(driver, [['b', 15]]);
    expect(output.readKeyValuesToList()).toEqual([]);
    // A second later the next record emits every window closed meanwhile, once.
    driver.advanceWallClockTime(1);
    pipe(driver, [['b', 15]]);
    expect(output.readKeyValuesToList()).toEqual([{ key: 'a@0/10', value: 1 }]);
    driver.advanceWallClockTime(1000);
    pipe(driver, [['b', 16]]);
    expect(output.readKeyValuesToList()).toEqual([]);
  });

  it('should emit the final session and drop the tombstones of merged-away sessions', () => {
    const builder = new StreamsBuilder();
    const out: string[] = [];
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 2))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('sessions-final'))
      .toStream()
      .foreach((k, v) => out.push(`${windowed(k)}=${v}`));
    driver = new TopologyTestDriver(builder.build());
    pipe(driver, [
      ['a', 0],
      ['a', 3], // merges [0,0] into [0,3]
      ['b', 5], // session [0,3] closes once 3 + 2 < stream time
    ]);
    expect(out).toEqual([]);
    pipe(driver, [['b', 6]]);
    expect(out).toEqual(['a@0/3=2']);
    expect(driver.producedTopicNames()).toContain('test-driver-sessions-final-store-changelog');
  });

  it('should refuse untilWindowCloses on a table that is not windowed, and an early-emitting buffer', () => {
    const builder = new StreamsBuilder();
    const table = builder.stream('in', Consumed.with(S, S)).groupByKey().count();
    expect(() => table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))).toThrowError(
      /needs the result of a windowed aggregation/,
    );
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(10))).toThrowError(/never emits early/);
  });

  it('should emit the latest value of a key after the time limit', () => {
    const builder = new StreamsBuilder();
    const out: string[] = [];
    builder
      .table('in', Consumed.with(S, S))
      .suppress(Suppressed.untilTimeLimit(10, BufferConfig.unbounded()))
      .toStream()
      .foreach((key, value) => out.push(`${key}=${String(value)}`));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'v1', 0);
    input.pipeInput('k', 'v2', 5);
    input.pipeInput('j', 'w1', 9);
    expect(out).toEqual([]);
    input.pipeInput('j', 'w2', 10); // 0 + 10 <= 10: k is due, with its latest value
    expect(out).toEqual(['k=v2']);
    input.pipeInput('x', 'y', 19); // j first buffered at 9: due at 19
    expect(out).toEqual(['k=v2', 'j=w2']);
  });

  it('should emit the oldest entries early when a bounded buffer is full, or fail when told to shut down', () => {
    const build = (config: BufferConfig) => {
      const builder = new StreamsBuilder();
      builder
        .table('in', Consumed.with(S, S))
        .suppress(Suppressed.untilTimeLimit(1000, config))
        .toStream()
        .to('out', Produced.with(S, S));
      return builder.build();
    };
    driver = new TopologyTestDriver(build(BufferConfig.maxRecords(2)));
    let input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', '1', 0);
    input.pipeInput('b', '2', 1);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([]);
    input.pipeInput('c', '3', 2);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'a', value: '1' }]);
    driver.close();
    driver = new TopologyTestDriver(build(BufferConfig.maxRecords(1).shutDownWhenFull()));
    input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', '1', 0);
    expect(() => input.pipeInput('b', '2', 1)).toThrowError(/exceeded its capacity: 2\/1 records/);
  });
});
