import type { ProcessingGuarantee } from '@kaskade/core';
import { Serdes } from '@kaskade/core';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { runUntilProcessed } from '../lib/kaskade-runner.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';

/**
 * SimpleBenchmark's "streamcount" with a sink: stream -> groupByKey -> count -> toStream -> to. The count store is the
 * DSL's default: persistent (LMDB), logged, record cache off (Kaskade's default, unlike Kafka Streams'), so every
 * input record updates the store, its changelog and the output once.
 */
export function runDslCount(ctx: RungContext, guarantee: ProcessingGuarantee): Promise<RungResult> {
  return runUntilProcessed(ctx, guarantee, ctx.records, (probe) => {
    const builder = new StreamsBuilder();
    builder
      .stream(ctx.inputTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()))
      .groupByKey()
      .count()
      .toStream()
      .to(ctx.outputTopic, Produced.with(Serdes.Int32(), Serdes.Int64()));
    return builder.build();
  });
}

export const dslCount: Rung = {
  name: 'dsl-count',
  description: 'DSL: stream -> groupByKey -> count (persistent, logged, no cache) -> toStream -> to, at-least-once',
  guarantee: 'at_least_once',
  writesOutput: true,
  run: (ctx) => runDslCount(ctx, 'at_least_once'),
};
