// Processors the TopologyTestDriver tests build their topologies from.
import type { KeyValueStore, Processor, ProcessorContext, Record } from '@kaskade/processor-api';

/** A processor from a function: forwards whatever `fn` returns (nothing when undefined). */
export function mapper<K, V, KO, VO>(
  fn: (r: Record<K, V>) => Record<KO, VO> | undefined,
): () => Processor<K, V, KO, VO> {
  return () => {
    let ctx: ProcessorContext<KO, VO>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r) => {
        const out = fn(r);
        if (out) ctx.forward(out);
      },
    };
  };
}

/** Counts records per key in the store `counts` and forwards the count. */
export function counting(): Processor<string, string, string, number> {
  let ctx: ProcessorContext<string, number>;
  let store: KeyValueStore<string, number>;
  return {
    init(c) {
      ctx = c;
      store = c.getStateStore<KeyValueStore<string, number>>('counts');
    },
    process(r) {
      const n = (store.get(r.key) ?? 0) + 1;
      store.put(r.key, n);
      ctx.forward(r.withValue(n));
    },
  };
}
