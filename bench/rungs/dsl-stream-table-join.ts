import { Serdes } from '@kaskade/core';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { KEY_SPACE } from '../lib/data.js';
import { runUntilProcessed } from '../lib/kaskade-runner.js';
import type { Rung } from '../lib/rung.js';
import { concatValues } from '../lib/value-joiner.js';

/**
 * SimpleBenchmark's "streamtablejoin" with a sink: the input stream left-joins a table of one record per key
 * (10 000 records, stamped before the stream, so a task takes them first when it has both at hand). A left join
 * emits exactly one result per stream record, whether or not its key's table record was processed yet.
 */
export const dslStreamTableJoin: Rung = {
  name: 'dsl-stream-table-join',
  description: `DSL: stream leftJoin table (${KEY_SPACE.toLocaleString('en-US')} keys, persistent, logged) -> to, values concatenated, at-least-once; records include the table's`,
  guarantee: 'at_least_once',
  writesOutput: true,
  inputs: ['table'],
  run: (ctx) =>
    runUntilProcessed(ctx, 'at_least_once', ctx.records + KEY_SPACE, (probe) => {
      const builder = new StreamsBuilder();
      const table = builder.table(ctx.tableTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()));
      builder
        .stream(ctx.inputTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()))
        .leftJoin(table, concatValues)
        .to(ctx.outputTopic, Produced.with(Serdes.Int32(), Serdes.Bytes()));
      return builder.build();
    }),
};
