import { describe, expect, it } from 'vitest';
import { frameConfluent, unframeConfluent } from './confluent-wire-format.js';
import { SchemaRegistryWireFormatError } from './schema-registry-error.js';

describe('Confluent wire format', () => {
  it('is magic byte 0, the schema id as 4 bytes big-endian, then the body', () => {
    const framed = frameConfluent(0x01020304, Buffer.from([0xaa, 0xbb]));
    expect([...framed]).toEqual([0, 1, 2, 3, 4, 0xaa, 0xbb]);
  });

  it('reads back the id and the body as a view of the same bytes', () => {
    const framed = frameConfluent(258, Buffer.from('body'));
    const { schemaId, body } = unframeConfluent('orders', framed);
    expect(schemaId).toBe(258);
    expect(body.toString()).toBe('body');
    expect(body.buffer).toBe(framed.buffer);
  });

  it('keeps an empty body (an Avro record with no fields)', () => {
    expect(unframeConfluent('t', frameConfluent(7, Buffer.alloc(0)))).toEqual({ schemaId: 7, body: Buffer.alloc(0) });
  });

  it('refuses a wrong magic byte, naming the byte and the topic', () => {
    const error = catchError(() => unframeConfluent('orders', Buffer.from([1, 0, 0, 0, 1, 2])));
    expect(error).toBeInstanceOf(SchemaRegistryWireFormatError);
    expect(error).toMatchObject({ reason: 'UNKNOWN_MAGIC_BYTE', context: { topic: 'orders', magicByte: 1 } });
    expect(error.message).toBe(
      'unknown magic byte 1 on topic orders: the record was not written in the schema-registry wire format (magic byte 0)',
    );
  });

  it('refuses fewer than 5 bytes', () => {
    const error = catchError(() => unframeConfluent('orders', Buffer.from([0, 0, 1])));
    expect(error).toMatchObject({ reason: 'TOO_SHORT', code: 'KASKADE_SCHEMA_REGISTRY_WIRE_FORMAT_ERROR' });
    expect(error.message).toContain('3 bytes on topic orders');
  });
});

function catchError(f: () => unknown): SchemaRegistryWireFormatError {
  try {
    f();
  } catch (error) {
    return error as SchemaRegistryWireFormatError;
  }
  throw new Error('expected an error');
}
