import { Serdes } from '@kaskade/core';
import { Consumed, Produced, StreamsBuilder, TimeWindows, WindowedSerdes } from '@kaskade/dsl';
import { runUntilProcessed } from '../lib/kaskade-runner.js';
import type { Rung } from '../lib/rung.js';

/**
 * Hopping windows of 10 s every 5 s (SimpleBenchmark uses 1 s every 0.5 s on wall-clock timestamps). The input's
 * event time runs at 10 000 records/s (lib/data.ts), so a key sees about 10 records per window, and each record
 * lands in 10 / 5 = 2 windows: two updates of the window store, its changelog and the output per input record.
 */
const WINDOW_SIZE_MS = 10_000;
const WINDOW_ADVANCE_MS = 5_000;
const WINDOWS_PER_RECORD = WINDOW_SIZE_MS / WINDOW_ADVANCE_MS;

/** SimpleBenchmark's "streamcountwindowed" with a sink, on the DSL's default window store (persistent, logged). */
export const dslWindowedCount: Rung = {
  name: 'dsl-windowed-count',
  description:
    'DSL: stream -> groupByKey -> windowedBy(10 s hopping by 5 s, no grace) -> count -> toStream -> to (windowed key serde), at-least-once',
  guarantee: 'at_least_once',
  writesOutput: true,
  minOutput: (records) => records * WINDOWS_PER_RECORD,
  run: (ctx) =>
    runUntilProcessed(ctx, 'at_least_once', ctx.records, (probe) => {
      const builder = new StreamsBuilder();
      builder
        .stream(ctx.inputTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_SIZE_MS).advanceBy(WINDOW_ADVANCE_MS))
        .count()
        .toStream()
        .to(
          ctx.outputTopic,
          Produced.with(WindowedSerdes.timeWindowedSerdeFrom(Serdes.Int32(), WINDOW_SIZE_MS), Serdes.Int64()),
        );
      return builder.build();
    }),
};
