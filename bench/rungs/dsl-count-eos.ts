import { distinctKeys } from '../lib/data.js';
import type { Rung } from '../lib/rung.js';
import { runDslCount } from './dsl-count.js';

export const dslCountEos: Rung = {
  name: 'dsl-count-eos',
  description: 'dsl-count under exactly_once_v2, commit every 100 ms',
  guarantee: 'exactly_once_v2',
  writesOutput: true,
  run: (ctx) => runDslCount(ctx, 'exactly_once_v2', false),
};

/**
 * `dsl-count-eos` on the Kafka client alone (`nativeClient: 'off'`: its consumer and transactional producer):
 * `dsl-count-eos` ÷ this is what the native path gains under exactly-once (printed below the tables).
 */
export const dslCountEosClient: Rung = {
  name: 'dsl-count-eos-client',
  description: "dsl-count-eos on the Kafka client's consumer and producer (nativeClient: 'off')",
  guarantee: 'exactly_once_v2',
  writesOutput: true,
  run: (ctx) => runDslCount(ctx, 'exactly_once_v2', false, { config: { nativeClient: 'off' } }),
};

export const dslCountEosCache: Rung = {
  name: 'dsl-count-eos-cache',
  description: 'dsl-count-eos with the record cache on (flushed at every commit, 100 ms)',
  guarantee: 'exactly_once_v2',
  writesOutput: true,
  minOutput: (records) => distinctKeys(records),
  run: (ctx) => runDslCount(ctx, 'exactly_once_v2', true),
};
