import { afterEach, describe, expect, it, vi } from 'vitest';
import { Headers, StreamsError } from '@kaskade/processor-api';
import type { ConsumedRecord } from '@kaskade/processor-api';
import type { Logger } from '../config/logger.js';
import { InvalidTimestampError } from '../errors/invalid-timestamp-error.js';
import { LogAndSkipOnInvalidTimestamp } from './log-and-skip-on-invalid-timestamp.js';
import { RecordTimestampExtractor } from './record-timestamp-extractor.js';
import { UsePartitionTimeOnInvalidTimestamp } from './use-partition-time-on-invalid-timestamp.js';
import { WallclockTimestampExtractor } from './wallclock-timestamp-extractor.js';

function consumed(timestamp: number): ConsumedRecord {
  return { topic: 'clicks', partition: 2, offset: 99, timestamp, key: 'k', value: 'v', headers: Headers.EMPTY };
}

function thrown(fn: () => unknown): InvalidTimestampError {
  try {
    fn();
  } catch (error) {
    return error as InvalidTimestampError;
  }
  throw new Error('expected an error');
}

describe('RecordTimestampExtractor', () => {
  const extractor = new RecordTimestampExtractor();

  it("should use the record's own timestamp, zero included", () => {
    expect(extractor.extract(consumed(1_700_000_000_123), 5)).toBe(1_700_000_000_123);
    expect(extractor.extract(consumed(0), -1)).toBe(0);
  });

  it('should fail on a negative timestamp, naming topic, partition and offset', () => {
    const error = thrown(() => extractor.extract(consumed(-1), 1000));
    expect(error).toBeInstanceOf(InvalidTimestampError);
    expect(error).toBeInstanceOf(StreamsError);
    expect(error.message).toMatch(
      /^record at topic "clicks" partition 2 offset 99 has an invalid \(negative\) timestamp -1;/,
    );
    expect(error.context).toEqual({ topic: 'clicks', partition: 2, offset: 99 });
  });
});

describe('LogAndSkipOnInvalidTimestamp', () => {
  it("should use the record's own timestamp when valid", () => {
    expect(new LogAndSkipOnInvalidTimestamp().extract(consumed(10), -1)).toBe(10);
  });

  it('should return the negative timestamp (skip) and log a warning', () => {
    const logger: Logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    expect(new LogAndSkipOnInvalidTimestamp(logger).extract(consumed(-5), 1000)).toBe(-5);
    expect(logger.warn).toHaveBeenCalledWith(
      'record at topic "clicks" partition 2 offset 99 is skipped: its timestamp -5 is invalid (negative)',
      { topic: 'clicks', partition: 2, offset: 99, timestamp: -5 },
    );
  });
});

describe('UsePartitionTimeOnInvalidTimestamp', () => {
  const extractor = new UsePartitionTimeOnInvalidTimestamp();

  it("should use the record's own timestamp when valid", () => {
    expect(extractor.extract(consumed(10), 1000)).toBe(10);
  });

  it('should use the partition time for a negative timestamp', () => {
    expect(extractor.extract(consumed(-1), 1000)).toBe(1000);
    expect(extractor.extract(consumed(-1), 0)).toBe(0);
  });

  it('should fail when there is no partition time yet', () => {
    const error = thrown(() => extractor.extract(consumed(-1), -1));
    expect(error).toBeInstanceOf(InvalidTimestampError);
    expect(error.message).toContain('offset 99 has an invalid (negative) timestamp -1 and there is no partition time');
  });
});

describe('WallclockTimestampExtractor', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should use the current time, not the record timestamp', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_234_567);
    expect(new WallclockTimestampExtractor().extract()).toBe(1_234_567);
  });

  it('should use the given clock', () => {
    const extractor = new WallclockTimestampExtractor(() => 42);
    expect(extractor.extract()).toBe(42);
  });
});
