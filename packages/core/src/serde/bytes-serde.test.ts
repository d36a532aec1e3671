import { describe, expect, it } from 'vitest';
import { SerializationError } from '@kaskade/processor-api';
import { BytesSerde } from './bytes-serde.js';

describe('BytesSerde', () => {
  const serde = new BytesSerde();

  it('should pass buffers through unchanged, without copying', () => {
    const bytes = Buffer.from([0, 1, 0xff]);
    expect(serde.serialize('t', bytes)).toBe(bytes);
    expect(serde.deserialize('t', bytes)).toBe(bytes);
    expect(serde.serialize('t', Buffer.alloc(0)).length).toBe(0);
  });

  it('should view a plain Uint8Array as a Buffer over the same memory', () => {
    const array = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    const bytes = serde.serialize('t', array as Buffer);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect([...bytes]).toEqual([8, 7]);
    expect(bytes.buffer).toBe(array.buffer);
  });

  it('should fail to serialize a value that is not bytes', () => {
    expect(() => serde.serialize('t', 'text' as unknown as Buffer)).toThrow(SerializationError);
    expect(() => serde.serialize('t', 'text' as unknown as Buffer)).toThrow(
      'cannot serialize value as bytes: expected a Buffer, got a string ("text")',
    );
  });
});
