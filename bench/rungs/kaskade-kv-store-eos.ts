import type { Rung } from '../lib/rung.js';
import { runKvStore } from './kaskade-kv-store.js';

export const kaskadeKvStoreEos: Rung = {
  name: 'kaskade-kv-store-eos',
  description: 'kaskade-kv-store under exactly_once_v2, commit every 100 ms',
  guarantee: 'exactly_once_v2',
  writesOutput: true,
  run: (ctx) => runKvStore(ctx, 'exactly_once_v2'),
};
