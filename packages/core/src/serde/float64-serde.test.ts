import { describe, expect, it } from 'vitest';
import { SerializationError } from '@kaskade/processor-api';
import { Float64Serde } from './float64-serde.js';

describe('Float64Serde', () => {
  const serde = new Float64Serde();

  it('should round-trip doubles, including -0, NaN and the infinities', () => {
    for (const n of [0, 1.5, -2.25, Math.PI, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity]) {
      expect(serde.deserialize('t', serde.serialize('t', n))).toBe(n);
    }
    expect(Object.is(serde.deserialize('t', serde.serialize('t', -0)), -0)).toBe(true);
    expect(Number.isNaN(serde.deserialize('t', serde.serialize('t', NaN)))).toBe(true);
  });

  it('should write 8 bytes big-endian as Kafka DoubleSerializer does', () => {
    expect(serde.serialize('t', 1).toString('hex')).toBe('3ff0000000000000');
    expect(serde.serialize('t', -0).toString('hex')).toBe('8000000000000000');
    // Java's doubleToLongBits writes the canonical NaN.
    expect(serde.serialize('t', NaN).toString('hex')).toBe('7ff8000000000000');
  });

  it('should fail on a non-number and on a wrong size', () => {
    expect(() => serde.serialize('t', '1' as unknown as number)).toThrow(SerializationError);
    expect(() => serde.deserialize('t', Buffer.alloc(4))).toThrow(
      'cannot deserialize value as Float64: expected 8 bytes, got 4',
    );
  });
});
