// A rebalance storm under exactly-once (the quick size; `npm run verify:eos -- --replicas 3 --storm-seconds 120` is
// the 2-minute one): replicas stopped, killed and started every 1-3 s while input flows, under the group protocol the
// broker offers (KIP-848's incremental rebalances on the test broker). Every echo and per-key aggregate must be exact.
import { describe, expect, it } from 'vitest';
import { bootstrapServers } from './broker-context.js';
import { runEosVerification } from './eos/eos-verification.js';

describe('rebalance storm under exactly-once', () => {
  it('should keep echo and per-key aggregates exact while replicas are stopped, killed and started', async () => {
    const result = await runEosVerification({
      bootstrapServers: bootstrapServers(),
      records: 8_000,
      replicas: 3,
      kills: 0,
      stormMs: 12_000,
      log: (line) => console.log(line),
    });
    console.log(`[storm] ${JSON.stringify(result)}`);
    expect(result.kills + result.cleanRestarts).toBeGreaterThanOrEqual(3);
    expect(result.errors).toEqual([]);
    expect(result.duplicates).toBe(0);
    expect(result.losses).toBe(0);
    expect(result.openTransactions).toBe(0);
  }, 300_000);
});
