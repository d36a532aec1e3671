import { describe, expect, it } from 'vitest';
import { SerializationError } from '@kaskade/processor-api';
import { JsonSerde } from './json-serde.js';

describe('JsonSerde', () => {
  const serde = new JsonSerde<unknown>();

  it('should round-trip JSON values', () => {
    for (const value of [{ a: 1, b: [true, null, 'x'], c: { d: 'ü🎉' } }, [1, 2], 'text', 0, -1.5, true, null]) {
      expect(serde.deserialize('t', serde.serialize('t', value))).toEqual(value);
    }
  });

  it('should write compact UTF-8 JSON text', () => {
    expect(serde.serialize('t', { a: 'é', b: [1] }).toString('utf8')).toBe('{"a":"é","b":[1]}');
  });

  it('should fail to deserialize bad JSON with the parser message and its error as cause', () => {
    let error: unknown;
    try {
      serde.deserialize('orders', Buffer.from('{"a": nope}'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toMatch(/^cannot deserialize value as JSON: Unexpected token/);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    expect((error as SerializationError).context.topic).toBe('orders');
  });

  it('should fail to deserialize empty bytes and invalid UTF-8', () => {
    expect(() => serde.deserialize('t', Buffer.alloc(0))).toThrow(/^cannot deserialize value as JSON: Unexpected end/);
    expect(() => serde.deserialize('t', Buffer.from([0x22, 0xff, 0x22]))).toThrow('not valid UTF-8');
  });

  it('should fail to serialize what JSON cannot represent', () => {
    expect(() => serde.serialize('t', undefined)).toThrow(
      'cannot serialize value as JSON: undefined has no JSON representation',
    );
    expect(() => serde.serialize('t', () => 1)).toThrow(SerializationError);
    const bigint = catchError(() => serde.serialize('t', { n: 1n }));
    expect(bigint).toBeInstanceOf(SerializationError);
    expect(bigint.message).toMatch(/^cannot serialize value as JSON: .*BigInt/);
    expect(bigint.cause).toBeInstanceOf(TypeError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => serde.serialize('t', cycle)).toThrow(/cannot serialize value as JSON: .*circular/i);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
