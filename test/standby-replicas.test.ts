// Standby replicas on the real broker (issue #16): the owner of a 50 000-record table is SIGKILLed while it writes
// more; with `numStandbyReplicas: 1` the survivor, which kept a standby of the table, restores at most 1 % of it and
// then holds every key. Without a standby it restores the whole table: `npm run measure:failover` shows both, with
// 1 000 000 records.
import { describe, expect, it } from 'vitest';
import { bootstrapServers } from './broker-context.js';
import { runFailover } from './failover/failover-run.js';

const RECORDS = 50_000;

describe('standby replicas', () => {
  it('should restore at most 1 % of a 50 000-record store on the survivor after its owner is SIGKILLed, with a standby', async () => {
    const log = (line: string) => console.log(line);
    const warm = await runFailover({ bootstrapServers: bootstrapServers(), records: RECORDS, standbys: 1, log });
    expect(warm.standbyApplied).toBeGreaterThan(0);
    expect(warm.restored).toBeLessThanOrEqual(RECORDS / 100);
  });
});
