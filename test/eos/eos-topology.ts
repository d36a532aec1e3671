// The application of the exactly-once verification, in the style of Kafka Streams' EOS system test:
//   data ──► echo                                   (a copy of every input record)
//   data ──► <app>-data-repartition ──► per-key aggregate ──► sum, min, max, cnt
// The aggregate keeps { sum, min, max, count } per key in one logged store and forwards each to its own topic.
// With `asyncStage`, every input record first passes an asynchronous processor (a call of 0-4 ms, 20 at a time per
// task) before the echo and the repartition topic: in-flight calls run across commits and are lost with SIGKILL.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyValueStore, ProcessorContext, Record } from '@kaskade/processor-api';
import { Serdes, Topology, asyncProcessor } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';

export const EOS_TOPICS = ['data', 'echo', 'sum', 'min', 'max', 'cnt'] as const;
export type EosTopic = (typeof EOS_TOPICS)[number];

interface Aggregate {
  sum: number;
  min: number;
  max: number;
  count: number;
}

export function eosTopology(topic: (name: EosTopic) => string, options: { asyncStage?: boolean } = {}): Topology {
  const S = Serdes.String();
  const I = Serdes.Int64();
  const t = new Topology()
    .addInternalTopic('data-repartition')
    .addSource('data', topic('data'), { keySerde: S, valueSerde: I });
  const head = options.asyncStage ? 'async-stage' : 'data';
  if (options.asyncStage) {
    const call = asyncProcessor<string, number, string, number>(
      () => ({
        process: async (r) => {
          await sleep(Math.floor(Math.random() * 5));
          return [r];
        },
      }),
      { concurrency: 20 },
    );
    t.addProcessor('async-stage', call, 'data');
  }
  return t
    .addSink('echo', topic('echo'), { keySerde: S, valueSerde: I }, head)
    .addSink('to-repartition', 'data-repartition', { keySerde: S, valueSerde: I }, head)
    .addSource('from-repartition', 'data-repartition', { keySerde: S, valueSerde: I })
    .addProcessor(
      'aggregate',
      () => {
        let ctx: ProcessorContext<string, number>;
        let store: KeyValueStore<string, Aggregate>;
        return {
          init(c: ProcessorContext<string, number>) {
            ctx = c;
            store = c.getStateStore('aggregates');
          },
          process(r: Record<string, number>) {
            const old = store.get(r.key);
            const v = r.value;
            const agg: Aggregate = old
              ? { sum: old.sum + v, min: Math.min(old.min, v), max: Math.max(old.max, v), count: old.count + 1 }
              : { sum: v, min: v, max: v, count: 1 };
            store.put(r.key, agg);
            ctx.forward(r.withValue(agg.sum), 'sum');
            ctx.forward(r.withValue(agg.min), 'min');
            ctx.forward(r.withValue(agg.max), 'max');
            ctx.forward(r.withValue(agg.count), 'cnt');
          },
        };
      },
      'from-repartition',
    )
    .addStateStore(
      Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('aggregates'), S, Serdes.Json<Aggregate>()),
      'aggregate',
    )
    .addSink('sum', topic('sum'), { keySerde: S, valueSerde: I }, 'aggregate')
    .addSink('min', topic('min'), { keySerde: S, valueSerde: I }, 'aggregate')
    .addSink('max', topic('max'), { keySerde: S, valueSerde: I }, 'aggregate')
    .addSink('cnt', topic('cnt'), { keySerde: S, valueSerde: I }, 'aggregate');
}
