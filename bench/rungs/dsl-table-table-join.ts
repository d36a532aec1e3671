import { Serdes } from '@kaskade/core';
import { Consumed, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import { distinctKeys, splitSizes } from '../lib/data.js';
import { runUntilProcessed } from '../lib/kaskade-runner.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';
import { concatValues } from '../lib/value-joiner.js';

/**
 * SimpleBenchmark's "tabletablejoin" with a sink: the input split over two tables (even records left, odd right, the
 * same 10 000 keys), left-joined. Both tables' record caches are set explicitly (see dsl-count.ts). Without them,
 * every left update emits a result and a right update emits one once its key has a left value, so the output holds
 * at least the left table's records; with them, at least one result per key of the left table.
 */
function runTableTableJoin(ctx: RungContext, caching: boolean): Promise<RungResult> {
  return runUntilProcessed(ctx, 'at_least_once', ctx.records, (probe) => {
    const store = (): Materialized<number, Buffer> => {
      const m = Materialized.with<number, Buffer>(Serdes.Int32(), Serdes.Bytes());
      return caching ? m.withCachingEnabled() : m.withCachingDisabled();
    };
    const builder = new StreamsBuilder();
    const left = builder.table(ctx.leftTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()), store());
    const right = builder.table(ctx.rightTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()), store());
    left.leftJoin(right, concatValues).toStream().to(ctx.outputTopic, Produced.with(Serdes.Int32(), Serdes.Bytes()));
    return builder.build();
  });
}

export const dslTableTableJoin: Rung = {
  name: 'dsl-table-table-join',
  description:
    'DSL: table leftJoin table (input split in two topics, persistent, logged, no cache) -> toStream -> to, at-least-once',
  guarantee: 'at_least_once',
  writesOutput: true,
  inputs: ['split'],
  minOutput: (records) => splitSizes(records).left,
  run: (ctx) => runTableTableJoin(ctx, false),
};

export const dslTableTableJoinCache: Rung = {
  name: 'dsl-table-table-join-cache',
  description: "dsl-table-table-join with both tables' record caches on (10 MiB, Materialized.withCachingEnabled())",
  guarantee: 'at_least_once',
  writesOutput: true,
  inputs: ['split'],
  minOutput: (records) => distinctKeys(records, 'left'),
  run: (ctx) => runTableTableJoin(ctx, true),
};
