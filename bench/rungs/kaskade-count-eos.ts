import type { Rung } from '../lib/rung.js';
import { runCount } from './kaskade-count.js';

export const kaskadeCountEos: Rung = {
  name: 'kaskade-count-eos',
  description: 'kaskade-count under exactly_once_v2, commit every 100 ms',
  guarantee: 'exactly_once_v2',
  writesOutput: true,
  run: (ctx) => runCount(ctx, 'exactly_once_v2'),
};
