import type { ProcessingGuarantee } from '@kaskade/core';
import { Serdes } from '@kaskade/core';
import { Consumed, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import { distinctKeys } from '../lib/data.js';
import { runUntilProcessed } from '../lib/kaskade-runner.js';
import type { RunExtras } from '../lib/kaskade-runner.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';

/**
 * SimpleBenchmark's "streamcount" with a sink: stream -> groupByKey -> count -> toStream -> to. The count store is
 * persistent (LMDB) and logged; its record cache is set explicitly, so that the rung measures the same thing
 * whatever the DSL's default is (on, as Kafka Streams'): off, every input record updates the store, its
 * changelog and the output once; on, updates to a key are merged until the cache is flushed (commit) or evicts.
 */
export function runDslCount(
  ctx: RungContext,
  guarantee: ProcessingGuarantee,
  caching: boolean,
  extras: RunExtras = {},
): Promise<RungResult> {
  return runUntilProcessed(
    ctx,
    guarantee,
    ctx.records,
    (probe) => {
      const store = Materialized.with<number, number>(Serdes.Int32(), Serdes.Int64());
      const builder = new StreamsBuilder();
      builder
        .stream(ctx.inputTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()))
        .groupByKey()
        .count(caching ? store.withCachingEnabled() : store.withCachingDisabled())
        .toStream()
        .to(ctx.outputTopic, Produced.with(Serdes.Int32(), Serdes.Int64()));
      return builder.build();
    },
    extras,
  );
}

export const dslCount: Rung = {
  name: 'dsl-count',
  description: 'DSL: stream -> groupByKey -> count (persistent, logged, no cache) -> toStream -> to, at-least-once',
  guarantee: 'at_least_once',
  writesOutput: true,
  run: (ctx) => runDslCount(ctx, 'at_least_once', false),
};

/** With the record cache on, the output holds at least one count per key (the cache's flush at the last commit). */
export const dslCountCache: Rung = {
  name: 'dsl-count-cache',
  description: 'dsl-count with the record cache on (10 MiB, Materialized.withCachingEnabled())',
  guarantee: 'at_least_once',
  writesOutput: true,
  minOutput: (records) => distinctKeys(records),
  run: (ctx) => runDslCount(ctx, 'at_least_once', true),
};

/**
 * `dsl-count` on the Kafka client alone (`nativeClient: 'off'`: its consumer and producer) instead of Kaskade's
 * native ones: `dsl-count-client-consumer` ÷ this is what the native producer gains (printed below the tables).
 */
export const dslCountClient: Rung = {
  name: 'dsl-count-client',
  description: "dsl-count on the Kafka client's consumer and producer (nativeClient: 'off')",
  guarantee: 'at_least_once',
  writesOutput: true,
  run: (ctx) => runDslCount(ctx, 'at_least_once', false, { config: { nativeClient: 'off' } }),
};

/**
 * `dsl-count` consuming through the Kafka client's consumer (`nativeConsumer: false`), producing through Kaskade's
 * native producer: `dsl-count` ÷ this is what the native consumer gains (printed below the tables).
 */
export const dslCountClientConsumer: Rung = {
  name: 'dsl-count-client-consumer',
  description: "dsl-count consuming through the Kafka client's consumer (nativeConsumer: false)",
  guarantee: 'at_least_once',
  writesOutput: true,
  run: (ctx) => runDslCount(ctx, 'at_least_once', false, { config: { nativeConsumer: false } }),
};
