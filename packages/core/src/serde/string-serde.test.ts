import { describe, expect, it } from 'vitest';
import { SerializationError } from '@kaskade/processor-api';
import { StringSerde } from './string-serde.js';

describe('StringSerde', () => {
  const serde = new StringSerde();

  it('should round-trip unicode strings as UTF-8', () => {
    for (const text of ['', 'hello', 'Grüße, 世界', '🎉 emoji and \u0000 nul', 'a'.repeat(10_000)]) {
      const bytes = serde.serialize('t', text);
      expect(bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
      expect(serde.deserialize('t', bytes)).toBe(text);
    }
  });

  it('should write the UTF-8 bytes of the string', () => {
    expect([...serde.serialize('t', 'é€')]).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac]);
  });

  it('should fail on bytes that are not valid UTF-8 instead of replacing them', () => {
    expect(() => serde.deserialize('t', Buffer.from([0x61, 0xff, 0x62]))).toThrow(SerializationError);
    expect(() => serde.deserialize('t', Buffer.from([0xc3]))).toThrow(
      'cannot deserialize value as string: the bytes are not valid UTF-8',
    );
  });

  it('should fail to serialize a non-string with the topic in the context', () => {
    const error = catchError(() => serde.serialize('orders', 42 as unknown as string));
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.message).toBe('cannot serialize value as string: expected a string, got the number 42');
    expect(error.context.topic).toBe('orders');
  });
});

function catchError(fn: () => unknown): SerializationError {
  try {
    fn();
  } catch (error) {
    return error as SerializationError;
  }
  throw new Error('expected an error');
}
