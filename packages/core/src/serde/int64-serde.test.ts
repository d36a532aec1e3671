import { describe, expect, it } from 'vitest';
import { SerializationError } from '@kaskade/processor-api';
import { Int64Serde } from './int64-serde.js';

describe('Int64Serde', () => {
  const serde = new Int64Serde();

  it('should write 8 bytes big-endian as Kafka LongSerializer does', () => {
    expect([...serde.serialize('t', 1)]).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...serde.serialize('t', -1)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect([...serde.serialize('t', 2 ** 32)]).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('should round-trip the safe integer range edges', () => {
    for (const n of [
      0,
      1,
      -1,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 32 - 1,
      -(2 ** 32),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ]) {
      expect(serde.deserialize('t', serde.serialize('t', n))).toBe(n);
    }
  });

  it('should agree byte for byte with a BigInt encoding', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    for (let i = 0; i < 1000; i++) {
      const n = Math.trunc(random() * Number.MAX_SAFE_INTEGER);
      const expected = Buffer.alloc(8);
      expected.writeBigInt64BE(BigInt(n));
      expect(serde.serialize('t', n).equals(expected)).toBe(true);
      expect(serde.deserialize('t', expected)).toBe(n);
    }
  });

  it('should fail to serialize unsafe integers and non-integers', () => {
    for (const bad of [Number.MAX_SAFE_INTEGER + 1, Number.MIN_SAFE_INTEGER - 1, 2 ** 63, 0.5, NaN]) {
      expect(() => serde.serialize('t', bad)).toThrow(SerializationError);
    }
    expect(() => serde.serialize('t', 2 ** 60)).toThrow(/expected a safe integer .* use Serdes.BigInt64\(\)/);
  });

  it('should fail to deserialize a value outside the safe range instead of rounding it', () => {
    const bytes = Buffer.alloc(8);
    bytes.writeBigInt64BE(2n ** 53n);
    expect(() => serde.deserialize('t', bytes)).toThrow(
      'cannot deserialize value as Int64: 9007199254740992 is outside the safe integer range of a number; use Serdes.BigInt64()',
    );
    bytes.writeBigInt64BE(-(2n ** 63n));
    expect(() => serde.deserialize('t', bytes)).toThrow(SerializationError);
  });

  it('should fail to deserialize anything but exactly 8 bytes', () => {
    for (const size of [0, 4, 7, 9]) {
      expect(() => serde.deserialize('t', Buffer.alloc(size))).toThrow(SerializationError);
    }
  });
});
