// The registry of rungs, in the order the table shows them. A new rung is a module in this folder plus one line here.
import type { Rung } from '../lib/rung.js';

/** Rung name -> module loader. Lazy, so that a rung whose module fails to load fails alone, as a failed rung. */
export const RUNGS: ReadonlyMap<string, () => Promise<Rung>> = new Map([
  ['raw-consume', async () => (await import('./raw-consume.js')).rawConsume],
  ['raw-passthrough', async () => (await import('./raw-passthrough.js')).rawPassthrough],
  ['kaskade-source-sink', async () => (await import('./kaskade-source-sink.js')).kaskadeSourceSink],
  ['kaskade-kv-store', async () => (await import('./kaskade-kv-store.js')).kaskadeKvStore],
  ['kaskade-kv-store-eos', async () => (await import('./kaskade-kv-store-eos.js')).kaskadeKvStoreEos],
  ['kaskade-count', async () => (await import('./kaskade-count.js')).kaskadeCount],
  ['kaskade-count-eos', async () => (await import('./kaskade-count-eos.js')).kaskadeCountEos],
  ['dsl-count', async () => (await import('./dsl-count.js')).dslCount],
  ['dsl-count-eos', async () => (await import('./dsl-count-eos.js')).dslCountEos],
  ['dsl-windowed-count', async () => (await import('./dsl-windowed-count.js')).dslWindowedCount],
  ['dsl-stream-table-join', async () => (await import('./dsl-stream-table-join.js')).dslStreamTableJoin],
  ['dsl-table-table-join', async () => (await import('./dsl-table-table-join.js')).dslTableTableJoin],
  ['dsl-stream-stream-join', async () => (await import('./dsl-stream-stream-join.js')).dslStreamStreamJoin],
  ['dsl-restore', async () => (await import('./dsl-restore.js')).dslRestore],
]);

/** The rung every ratio is measured against, run in every round. */
export const BASELINE_RUNG = 'raw-passthrough';
