// Windows that close on the wall clock (EmitStrategy.onWindowClose({ wallClock: true }),
// Suppressed.untilWindowCloses(...).withWallClockClose()): a final result goes out once wall-clock time passes window
// end + grace, with no record advancing stream time; a later update of that window is dropped, not emitted twice.
import { afterEach, describe, expect, it } from 'vitest';
import { TopologyError } from '@kaskade/processor-api';
import type { KTable } from '@kaskade/dsl';
import { BufferConfig, Consumed, EmitStrategy, Produced, StreamsBuilder, Suppressed, TimeWindows } from '@kaskade/dsl';
import type { Windowed } from '@kaskade/processor-api';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { L, S, windowed } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

const WINDOWS = TimeWindows.ofSizeAndGrace(10, 5);

function start(build: (b: StreamsBuilder) => KTable<Windowed<string>, number>): TopologyTestDriver {
  const b = new StreamsBuilder();
  build(b)
    .toStream()
    .map((k, v) => ({ key: windowed(k), value: v }))
    .to('out', Produced.with(S, L));
  driver = new TopologyTestDriver(b.build(), { initialWallClockTimeMs: 0 });
  return driver;
}

const counts = (b: StreamsBuilder) => b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(WINDOWS);

describe('windows closing on the wall clock', () => {
  for (const [how, build] of [
    [
      'EmitStrategy.onWindowClose({ wallClock: true })',
      (b: StreamsBuilder) =>
        counts(b)
          .emitStrategy(EmitStrategy.onWindowClose({ wallClock: true, checkIntervalMs: 1 }))
          .count(),
    ],
    [
      'Suppressed.untilWindowCloses(...).withWallClockClose()',
      (b: StreamsBuilder) =>
        counts(b).count().suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withWallClockClose(1)),
    ],
  ] as const) {
    it(`should emit a window's final result once the wall clock passes end + grace, with no new record (${how})`, () => {
      const d = start(build);
      const input = d.createInputTopic('in', S, S);
      const out = d.createOutputTopic('out', S, L);
      input.pipeInput('a', 'x', 1);
      input.pipeInput('a', 'x', 3);
      input.pipeInput('b', 'x', 12);
      d.advanceWallClockTime(14); // wall clock 14: [0,10) closes at 10 + 5 = 15
      expect(out.readKeyValuesToList()).toEqual([]);
      d.advanceWallClockTime(1);
      expect(out.readKeyValuesToList()).toEqual([{ key: 'a@0/10', value: 2 }]);
      // Stream time (12) has not closed [0,10), so the aggregation takes this record, but the window is closed.
      input.pipeInput('a', 'x', 4);
      expect(out.readKeyValuesToList()).toEqual([]);
      expect(d.metrics().droppedByReason['window-closed']).toBe(1);
      d.advanceWallClockTime(10); // 25: [10,20) closes
      expect(out.readKeyValuesToList()).toEqual([{ key: 'b@10/20', value: 1 }]);
    });
  }

  it('should still close windows on stream time when records keep coming', () => {
    const d = start((b) =>
      counts(b)
        .emitStrategy(EmitStrategy.onWindowClose({ wallClock: true }))
        .count(),
    );
    const input = d.createInputTopic('in', S, S);
    const out = d.createOutputTopic('out', S, L);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 15); // stream time 15 closes [0,10) although the wall clock is at 0
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a@0/10', value: 1 }]);
  });

  it('should refuse bad wall-clock options', () => {
    expect(() => EmitStrategy.onWindowClose({ wallClock: true, checkIntervalMs: 0 })).toThrow(
      /wall-clock check interval must be an integer > 0/,
    );
    expect(() => EmitStrategy.onWindowClose({ checkIntervalMs: 100 })).toThrow(/needs wallClock: true/);
    expect(() => Suppressed.untilTimeLimit(10, BufferConfig.unbounded()).withWallClockClose()).toThrow(TopologyError);
    expect(() => Suppressed.untilWindowCloses(BufferConfig.unbounded()).withWallClockClose(-5)).toThrow(
      /Suppressed.withWallClockClose: the wall-clock check interval/,
    );
  });
});
