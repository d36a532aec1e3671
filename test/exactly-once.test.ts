// Exactly-once (v2) on the real broker: the EOS verification with replicas killed and restarted, and fault injection
// into the transactional producer.
import { describe, expect, it } from 'vitest';
import { bootstrapServers } from './broker-context.js';
import { runEosVerification } from './eos/eos-verification.js';

describe('exactly-once v2', () => {
  it('should keep echo and per-key aggregates exact while replicas are killed with SIGKILL and restarted', async () => {
    const result = await runEosVerification({
      bootstrapServers: bootstrapServers(),
      records: 30_000,
      replicas: 3,
      kills: 5,
      log: (line) => console.log(line),
    });
    console.log(`[eos] ${JSON.stringify(result)}`);
    expect(result.kills).toBeGreaterThanOrEqual(5);
    expect(result.errors).toEqual([]);
    expect(result.duplicates).toBe(0);
    expect(result.losses).toBe(0);
    expect(result.openTransactions).toBe(0);
    // Restarted tasks caught up from their stores' committed changelog offsets, not from zero.
    console.log(
      `[eos] replayed ${result.restoredRecords} changelog records; ${result.skippedByStoredOffsets} were already in the stores`,
    );
    expect(result.skippedByStoredOffsets).toBeGreaterThan(result.restoredRecords);
  }, 600_000);
});
