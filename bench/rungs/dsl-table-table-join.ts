import { Serdes } from '@kaskade/core';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { splitSizes } from '../lib/data.js';
import { runUntilProcessed } from '../lib/kaskade-runner.js';
import type { Rung } from '../lib/rung.js';
import { concatValues } from '../lib/value-joiner.js';

/**
 * SimpleBenchmark's "tabletablejoin" with a sink: the input split over two tables (even records left, odd right, the
 * same 10 000 keys), left-joined. Every left update emits a result; a right update emits one once its key has a left
 * value, so the output holds at least the left table's records.
 */
export const dslTableTableJoin: Rung = {
  name: 'dsl-table-table-join',
  description:
    'DSL: table leftJoin table (input split in two topics, persistent, logged, no cache) -> toStream -> to, at-least-once',
  guarantee: 'at_least_once',
  writesOutput: true,
  inputs: ['split'],
  minOutput: (records) => splitSizes(records).left,
  run: (ctx) =>
    runUntilProcessed(ctx, 'at_least_once', ctx.records, (probe) => {
      const builder = new StreamsBuilder();
      const left = builder.table(ctx.leftTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()));
      const right = builder.table(ctx.rightTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()));
      left.leftJoin(right, concatValues).toStream().to(ctx.outputTopic, Produced.with(Serdes.Int32(), Serdes.Bytes()));
      return builder.build();
    }),
};
