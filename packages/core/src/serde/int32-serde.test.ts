import { describe, expect, it } from 'vitest';
import { SerializationError } from '@kaskade/processor-api';
import { Int32Serde } from './int32-serde.js';

describe('Int32Serde', () => {
  const serde = new Int32Serde();

  it('should write 4 bytes big-endian as Kafka IntegerSerializer does', () => {
    expect([...serde.serialize('t', 1)]).toEqual([0, 0, 0, 1]);
    expect([...serde.serialize('t', 0x01020304)]).toEqual([1, 2, 3, 4]);
    expect([...serde.serialize('t', -1)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect([...serde.serialize('t', -2147483648)]).toEqual([0x80, 0, 0, 0]);
  });

  it('should round-trip the edge values', () => {
    for (const n of [0, 1, -1, 2147483647, -2147483648, 123456789]) {
      expect(serde.deserialize('t', serde.serialize('t', n))).toBe(n);
    }
  });

  it('should write -0 as 0', () => {
    expect(Object.is(serde.deserialize('t', serde.serialize('t', -0)), 0)).toBe(true);
  });

  it('should fail to serialize non-integers and numbers out of range', () => {
    for (const bad of [2147483648, -2147483649, 1.5, NaN, Infinity]) {
      expect(() => serde.serialize('t', bad)).toThrow(SerializationError);
    }
    expect(() => serde.serialize('t', 2147483648)).toThrow(
      'cannot serialize value as Int32: expected an integer in [-2147483648, 2147483647], got the number 2147483648',
    );
    expect(() => serde.serialize('t', '1' as unknown as number)).toThrow(SerializationError);
  });

  it('should fail to deserialize anything but exactly 4 bytes', () => {
    for (const size of [0, 3, 5, 8]) {
      expect(() => serde.deserialize('t', Buffer.alloc(size))).toThrow(SerializationError);
    }
    expect(() => serde.deserialize('t', Buffer.alloc(3))).toThrow(
      'cannot deserialize value as Int32: expected 4 bytes, got 3',
    );
  });
});
