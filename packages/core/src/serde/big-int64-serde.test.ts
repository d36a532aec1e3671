import { describe, expect, it } from 'vitest';
import { SerializationError } from '@kaskade/processor-api';
import { BigInt64Serde } from './big-int64-serde.js';

describe('BigInt64Serde', () => {
  const serde = new BigInt64Serde();

  it('should round-trip the full 64-bit range', () => {
    for (const n of [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n]) {
      expect(serde.deserialize('t', serde.serialize('t', n))).toBe(n);
    }
  });

  it('should write 8 bytes big-endian as Kafka LongSerializer does', () => {
    expect([...serde.serialize('t', 1n)]).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...serde.serialize('t', 2n ** 63n - 1n)]).toEqual([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it('should fail to serialize out-of-range bigints and numbers', () => {
    expect(() => serde.serialize('t', 2n ** 63n)).toThrow(SerializationError);
    expect(() => serde.serialize('t', -(2n ** 63n) - 1n)).toThrow(SerializationError);
    expect(() => serde.serialize('t', 1 as unknown as bigint)).toThrow(
      'cannot serialize value as BigInt64: expected a bigint in [-2^63, 2^63-1], got the number 1',
    );
  });

  it('should fail to deserialize anything but exactly 8 bytes', () => {
    expect(() => serde.deserialize('t', Buffer.alloc(4))).toThrow(
      'cannot deserialize value as BigInt64: expected 8 bytes, got 4',
    );
  });
});
