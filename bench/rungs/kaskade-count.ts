import type { KeyValueStore, Processor, ProcessorContext, Record } from '@kaskade/processor-api';
import type { ProcessingGuarantee } from '@kaskade/core';
import { Serdes, Topology } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import { runKaskade } from '../lib/kaskade-runner.js';
import type { Progress } from '../lib/progress.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';

const STORE = 'counts';

/** Counts records per key and forwards the new count (a `groupByKey().count().toStream()` without the DSL). */
class CountProcessor implements Processor<number, Buffer, number, number> {
  readonly #progress: Progress;
  #context!: ProcessorContext<number, number>;
  #store!: KeyValueStore<number, number>;

  constructor(progress: Progress) {
    this.#progress = progress;
  }

  init(context: ProcessorContext<number, number>): void {
    this.#context = context;
    this.#store = context.getStateStore<KeyValueStore<number, number>>(STORE);
  }

  process(record: Record<number, Buffer>): void {
    this.#progress.add(1);
    const count = (this.#store.get(record.key) ?? 0) + 1;
    this.#store.put(record.key, count);
    this.#context.forward(record.withValue(count));
  }
}

/**
 * Source (Int32 keys) -> count in a persistent key-value store -> sink (Int32 key, Int64 count). The store has the
 * record cache on, as the DSL's `count()` has by default (SimpleBenchmark's "count" uses the DSL).
 */
export function runCount(ctx: RungContext, guarantee: ProcessingGuarantee): Promise<RungResult> {
  return runKaskade(ctx, guarantee, (progress) =>
    new Topology()
      .addSource('source', ctx.inputTopic, { keySerde: Serdes.Int32(), valueSerde: Serdes.Bytes() })
      .addProcessor('count', () => new CountProcessor(progress), 'source')
      .addStateStore(
        Stores.keyValueStoreBuilder(
          Stores.persistentKeyValueStore(STORE),
          Serdes.Int32(),
          Serdes.Int64(),
        ).withCachingEnabled(),
        'count',
      )
      .addSink('sink', ctx.outputTopic, { keySerde: Serdes.Int32(), valueSerde: Serdes.Int64() }, 'count'),
  );
}

export const kaskadeCount: Rung = {
  name: 'kaskade-count',
  description: 'KafkaStreams: source -> count per key in a persistent KV store (logged, cached) -> sink, at-least-once',
  guarantee: 'at_least_once',
  writesOutput: true,
  run: (ctx) => runCount(ctx, 'at_least_once'),
};
