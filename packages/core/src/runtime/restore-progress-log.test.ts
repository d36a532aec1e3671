import { describe, expect, it } from 'vitest';
import type { LogFields } from '../config/logger.js';
import { RestoreProgressLog } from './restore-progress-log.js';

function recorder() {
  const lines: { message: string; fields: LogFields | undefined }[] = [];
  const logger = {
    debug() {},
    info: (message: string, fields?: LogFields) => lines.push({ message, fields }),
    warn() {},
    error() {},
  };
  return { lines, logger };
}

describe('RestoreProgressLog', () => {
  it('should log percent, records/s and time left once per interval, not per batch', () => {
    let now = 1_000_000;
    const { lines, logger } = recorder();
    const log = new RestoreProgressLog(logger, 1_000_000, 'store counts (2 changelog partitions)', 5_000, () => now);
    for (let i = 0; i < 4; i++) {
      now += 1_000;
      log.restored(50_000);
    }
    expect(lines).toHaveLength(0);
    now += 1_000;
    log.restored(50_000); // 250 000 records in 5 s
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toBe(
      'restoring store counts (2 changelog partitions): 25.0% (250000 of 1000000 records), 50000 records/s, about 15 s left',
    );
    expect(lines[0]!.fields).toMatchObject({ restored: 250_000, total: 1_000_000, recordsPerSecond: 50_000 });
    now += 4_999;
    log.restored(1);
    expect(lines).toHaveLength(1);
    now += 1;
    log.restored(0);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.message).toContain('25.0% (250001 of 1000000 records)');
  });

  it('should write minutes for long remaining times', () => {
    let now = 0;
    const { lines, logger } = recorder();
    const log = new RestoreProgressLog(logger, 10_000_000, 'store s', 1_000, () => now);
    now = 10_000;
    log.restored(100_000); // 10 000 records/s, 9 900 000 left: 990 s
    expect(lines[0]!.message).toContain('1.0% (100000 of 10000000 records), 10000 records/s, about 17 min left');
  });
});
