import { Serdes } from '@kaskade/core';
import { Consumed, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import { KEY_SPACE } from '../lib/data.js';
import { runUntilProcessed } from '../lib/kaskade-runner.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';
import { concatValues } from '../lib/value-joiner.js';

/**
 * SimpleBenchmark's "streamtablejoin" with a sink: the input stream left-joins a table of one record per key
 * (10 000 records, stamped before the stream, so a task takes them first when it has both at hand). A left join
 * emits exactly one result per stream record, whether or not its key's table record was processed yet, so the
 * table's record cache (set explicitly, see dsl-count.ts) changes only how its store is written, not the output.
 */
function runStreamTableJoin(ctx: RungContext, caching: boolean): Promise<RungResult> {
  return runUntilProcessed(ctx, 'at_least_once', ctx.records + KEY_SPACE, (probe) => {
    const store = Materialized.with<number, Buffer>(Serdes.Int32(), Serdes.Bytes());
    const builder = new StreamsBuilder();
    const table = builder.table(
      ctx.tableTopic,
      Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()),
      caching ? store.withCachingEnabled() : store.withCachingDisabled(),
    );
    builder
      .stream(ctx.inputTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()))
      .leftJoin(table, concatValues)
      .to(ctx.outputTopic, Produced.with(Serdes.Int32(), Serdes.Bytes()));
    return builder.build();
  });
}

export const dslStreamTableJoin: Rung = {
  name: 'dsl-stream-table-join',
  description: `DSL: stream leftJoin table (${KEY_SPACE.toLocaleString('en-US')} keys, persistent, logged, no cache) -> to, values concatenated, at-least-once; records include the table's`,
  guarantee: 'at_least_once',
  writesOutput: true,
  inputs: ['table'],
  run: (ctx) => runStreamTableJoin(ctx, false),
};

export const dslStreamTableJoinCache: Rung = {
  name: 'dsl-stream-table-join-cache',
  description: "dsl-stream-table-join with the table's record cache on (10 MiB, Materialized.withCachingEnabled())",
  guarantee: 'at_least_once',
  writesOutput: true,
  inputs: ['table'],
  run: (ctx) => runStreamTableJoin(ctx, true),
};
