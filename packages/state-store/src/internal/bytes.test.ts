import { describe, expect, it } from 'vitest';
import { keyString } from './bytes.js';

describe('keyString', () => {
  it('should give the latin1 string of the bytes at every length, the short fast path included', () => {
    for (let length = 0; length <= 40; length++) {
      const bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) bytes[i] = (i * 37 + length * 11) & 0xff;
      if (length > 0) bytes[0] = 0;
      if (length > 1) bytes[length - 1] = 0xff;
      expect(keyString(bytes)).toBe(bytes.toString('latin1'));
      expect(keyString(bytes).length).toBe(length);
    }
  });

  it('should keep the unsigned byte order of the buffers', () => {
    const a = Buffer.from([0x00, 0x7f, 0x80, 0xff]);
    const b = Buffer.from([0x00, 0x80, 0x00, 0x00]);
    expect(keyString(a) < keyString(b)).toBe(Buffer.compare(a, b) < 0);
  });
});
