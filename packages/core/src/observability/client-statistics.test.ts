import { describe, expect, it } from 'vitest';
import { ClientStatistics } from './client-statistics.js';

const stats = (partition: { [k: string]: number }) =>
  JSON.stringify({ type: 'consumer', topics: { orders: { partitions: { '0': { partition: 0, ...partition } } } } });

describe('ClientStatistics', () => {
  it('should read the high watermark, or the last stable offset under read_committed', () => {
    const uncommitted = new ClientStatistics(false);
    const committed = new ClientStatistics(true);
    const json = stats({ hi_offset: 120, ls_offset: 100, lo_offset: 5, committed_offset: 90, consumer_lag: 30 });
    uncommitted.onConsumerStats(json);
    committed.onConsumerStats(json);
    expect(uncommitted.watermarks('orders', 0)).toEqual({ end: 120, committed: 90, low: 5, committedLag: 30 });
    expect(committed.watermarks('orders', 0)?.end).toBe(100);
    expect(uncommitted.watermarks('orders', 1)).toBeUndefined();
  });

  it('should fall back to the broker end for partitions librdkafka has not fetched (paused)', () => {
    const s = new ClientStatistics(false);
    s.onConsumerStats(stats({ hi_offset: -1001, lo_offset: -1001, committed_offset: -1001 }));
    expect(s.needsEnd('orders', 0)).toBe(true);
    expect(s.watermarks('orders', 0)).toBeUndefined();
    s.setEnd('orders', 0, 3000, 0);
    expect(s.watermarks('orders', 0)).toEqual({ end: 3000, committed: -1001, low: 0, committedLag: -1 });
    // A stale statistics end (fetched before a pause) loses against a newer, larger broker end.
    s.onConsumerStats(stats({ hi_offset: 2000, lo_offset: 0, committed_offset: 1500 }));
    expect(s.watermarks('orders', 0)?.end).toBe(3000);
    s.onConsumerStats(stats({ hi_offset: 3500, lo_offset: 0, committed_offset: 3400, consumer_lag: 100 }));
    expect(s.watermarks('orders', 0)).toEqual({ end: 3500, committed: 3400, low: 0, committedLag: 100 });
  });

  it('should keep the last good statistics when a document is malformed', () => {
    const s = new ClientStatistics(false);
    s.onConsumerStats(stats({ hi_offset: 10 }));
    s.onConsumerStats('{not json');
    expect(s.watermarks('orders', 0)?.end).toBe(10);
  });
});
