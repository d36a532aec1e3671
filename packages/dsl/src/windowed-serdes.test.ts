import { describe, expect, it } from 'vitest';
import { Serdes } from '@kaskade/core';
import { SessionWindowedSerde, TimeWindowedSerde, WindowedSerdes } from './windowed-serdes.js';

describe('WindowedSerdes', () => {
  it('should write a time-windowed key as the key bytes and the 8-byte big-endian start, reading end = start + size', () => {
    const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 60_000);
    const bytes = serde.serialize('t', { key: 'k', window: { start: 0x1_0000_0001, end: 0x1_0000_0001 + 60_000 } });
    expect(bytes).toEqual(Buffer.from([0x6b, 0, 0, 0, 1, 0, 0, 0, 1]));
    expect(serde.deserialize('t', bytes)).toEqual({
      key: 'k',
      window: { start: 0x1_0000_0001, end: 0x1_0000_0001 + 60_000 },
    });
    expect(serde).toBeInstanceOf(TimeWindowedSerde);
  });

  it('should write a session-windowed key as the key bytes, the end, then the start', () => {
    const serde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());
    const bytes = serde.serialize('t', { key: 'k', window: { start: 2, end: 258 } });
    expect(bytes).toEqual(Buffer.from([0x6b, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 2]));
    expect(serde.deserialize('t', bytes)).toEqual({ key: 'k', window: { start: 2, end: 258 } });
    expect(serde).toBeInstanceOf(SessionWindowedSerde);
  });

  it('should refuse bytes too short to hold the window', () => {
    expect(() =>
      WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10).deserialize('t', Buffer.alloc(7)),
    ).toThrowError(/at least 8 bytes/);
    expect(() =>
      WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String()).deserialize('t', Buffer.alloc(15)),
    ).toThrowError(/at least 16 bytes/);
  });
});
