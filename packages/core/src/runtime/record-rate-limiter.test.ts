import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RecordRateLimiter } from './record-rate-limiter.js';

describe('RecordRateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should let half a second of records through at once, then wait for tokens', async () => {
    const limiter = new RecordRateLimiter(500, 0);
    expect(await limiter.permits(1000)).toBe(250);
    limiter.taken(250);
    const next = limiter.permits(1000);
    await vi.advanceTimersByTimeAsync(2); // one token takes 2 ms at 500/s
    expect(await next).toBe(1);
    expect(limiter.throttledMs).toBe(2);
  });

  it('should hold a long run to the rate: 10 s of batches take 5000 records at 500/s', async () => {
    const limiter = new RecordRateLimiter(500, 0);
    let taken = 0;
    while (Date.now() < 10_000) {
      const p = limiter.permits(1000);
      await vi.advanceTimersByTimeAsync(5);
      const n = await p;
      limiter.taken(n);
      taken += n;
    }
    expect(Math.abs(taken - 5000)).toBeLessThanOrEqual(250); // the first half second's burst at most
  });

  it('should never take more than the batch size', async () => {
    const limiter = new RecordRateLimiter(100_000, 0);
    expect(await limiter.permits(7)).toBe(7);
  });
});

describe('maxRecordsPerSecond config', () => {
  it('should refuse a limit that is not a positive number at construction, naming the field', async () => {
    const { parseStreamsConfig } = await import('../config/streams-config.js');
    const base = { applicationId: 'a', bootstrapServers: 'localhost:9092' };
    expect(() => parseStreamsConfig({ ...base, maxRecordsPerSecond: 0 })).toThrow(
      /maxRecordsPerSecond: must be a number > 0 \(records per second\)/,
    );
    expect(() => parseStreamsConfig({ ...base, maxRecordsPerSecond: '500' })).toThrow(/maxRecordsPerSecond/);
    expect(parseStreamsConfig({ ...base, maxRecordsPerSecond: 500 }).maxRecordsPerSecond).toBe(500);
  });
});
