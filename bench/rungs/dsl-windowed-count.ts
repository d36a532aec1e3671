import { Serdes } from '@kaskade/core';
import { Consumed, Materialized, Produced, StreamsBuilder, TimeWindows, WindowedSerdes } from '@kaskade/dsl';
import { distinctWindows } from '../lib/data.js';
import { runUntilProcessed } from '../lib/kaskade-runner.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';
import { WINDOWS_PER_RECORD, WINDOW_ADVANCE_MS, WINDOW_SIZE_MS } from '../lib/windows.js';

/**
 * SimpleBenchmark's "streamcountwindowed" with a sink, on a persistent, logged window store whose record cache is set
 * explicitly (see dsl-count.ts).
 */
function runWindowedCount(ctx: RungContext, caching: boolean): Promise<RungResult> {
  return runUntilProcessed(ctx, 'at_least_once', ctx.records, (probe) => {
    const store = Materialized.with<number, number>(Serdes.Int32(), Serdes.Int64());
    const builder = new StreamsBuilder();
    builder
      .stream(ctx.inputTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_SIZE_MS).advanceBy(WINDOW_ADVANCE_MS))
      .count(caching ? store.withCachingEnabled() : store.withCachingDisabled())
      .toStream()
      .to(
        ctx.outputTopic,
        Produced.with(WindowedSerdes.timeWindowedSerdeFrom(Serdes.Int32(), WINDOW_SIZE_MS), Serdes.Int64()),
      );
    return builder.build();
  });
}

export const dslWindowedCount: Rung = {
  name: 'dsl-windowed-count',
  description:
    'DSL: stream -> groupByKey -> windowedBy(10 s hopping by 5 s, no grace) -> count (persistent, logged, no cache) -> toStream -> to (windowed key serde), at-least-once',
  guarantee: 'at_least_once',
  writesOutput: true,
  minOutput: (records) => records * WINDOWS_PER_RECORD,
  run: (ctx) => runWindowedCount(ctx, false),
};

/** With the record cache on, the output holds at least one count per (key, window) (the flush at the last commit). */
export const dslWindowedCountCache: Rung = {
  name: 'dsl-windowed-count-cache',
  description: 'dsl-windowed-count with the record cache on (10 MiB, Materialized.withCachingEnabled())',
  guarantee: 'at_least_once',
  writesOutput: true,
  minOutput: (records) => distinctWindows(records, WINDOW_SIZE_MS, WINDOW_ADVANCE_MS),
  run: (ctx) => runWindowedCount(ctx, true),
};
