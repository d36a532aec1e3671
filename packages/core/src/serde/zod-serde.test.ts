import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { SerializationError } from '@kaskade/processor-api';
import { ZodSerde } from './zod-serde.js';

const Order = z.object({
  id: z.string(),
  amount: z.number().nonnegative(),
  customer: z.object({ address: z.object({ zip: z.string() }) }),
  lines: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
});
type Order = z.infer<typeof Order>;

const order: Order = {
  id: 'o-1',
  amount: 12.5,
  customer: { address: { zip: '75001' } },
  lines: [{ sku: 'A', qty: 2 }],
};

function catchError(fn: () => unknown): SerializationError {
  try {
    fn();
  } catch (error) {
    return error as SerializationError;
  }
  throw new Error('expected an error');
}

describe('ZodSerde', () => {
  const serde = new ZodSerde(Order);

  it('should round-trip a valid value as JSON', () => {
    const bytes = serde.serialize('orders', order);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(order);
    expect(serde.deserialize('orders', bytes)).toEqual(order);
  });

  it('should fail to deserialize a mismatch, naming every failing path', () => {
    const bad = { ...order, amount: -1, customer: { address: { zip: 75001 } }, lines: [{ sku: 'A', qty: 1.5 }] };
    const error = catchError(() => serde.deserialize('orders', Buffer.from(JSON.stringify(bad))));
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.message).toMatch(/^cannot deserialize value as JSON: it does not match the schema:\n/);
    expect(error.message).toContain('  - amount: ');
    expect(error.message).toContain('  - customer.address.zip: Invalid input: expected string, received number');
    expect(error.message).toContain('  - lines[0].qty: ');
    expect(error.context.issues).toEqual([
      { field: 'amount', message: expect.any(String) },
      { field: 'customer.address.zip', message: 'Invalid input: expected string, received number' },
      { field: 'lines[0].qty', message: expect.any(String) },
    ]);
    expect(error.cause).toBeInstanceOf(z.ZodError);
    expect(error.context.topic).toBe('orders');
  });

  it('should refuse to serialize a value that does not match', () => {
    const error = catchError(() => serde.serialize('orders', { ...order, id: 7 } as unknown as Order));
    expect(error.message).toBe(
      'cannot serialize value as JSON: it does not match the schema:\n  - id: Invalid input: expected string, received number',
    );
  });

  it('should report bad JSON before validating', () => {
    expect(() => serde.deserialize('orders', Buffer.from('{'))).toThrow(/^cannot deserialize value as JSON: /);
  });

  it('should name the root when a primitive schema fails', () => {
    const strings = new ZodSerde(z.string().min(2));
    expect(() => strings.deserialize('t', Buffer.from('"a"'))).toThrow(/\n {2}- \(root\): /);
  });

  it('should encode and decode through a codec', () => {
    const isoDate = z.codec(z.iso.datetime(), z.date(), {
      decode: (text) => new Date(text),
      encode: (date) => date.toISOString(),
    });
    const events = new ZodSerde(z.object({ at: isoDate }));
    const at = new Date('2024-05-01T10:00:00.000Z');
    const bytes = events.serialize('t', { at });
    expect(bytes.toString('utf8')).toBe('{"at":"2024-05-01T10:00:00.000Z"}');
    expect(events.deserialize('t', bytes)).toEqual({ at });
  });

  it('should explain that a one-way transform cannot serialize', () => {
    const lengths = new ZodSerde(z.string().transform((s) => s.length));
    expect(lengths.deserialize('t', Buffer.from('"abc"'))).toBe(3);
    const error = catchError(() => lengths.serialize('t', 3));
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.message).toMatch(/^cannot serialize value as JSON: the schema cannot encode: .*transform/);
  });
});
