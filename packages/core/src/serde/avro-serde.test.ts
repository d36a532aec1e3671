import avro from 'avsc';
import type { Type } from 'avsc';
import { describe, expect, it } from 'vitest';
import { SerializationError } from '@kaskade/processor-api';
import { AvroSerde } from './avro-serde.js';
import type { AvroSchemaOrType, AvroWireFormat } from './avro-serde.js';

interface Order {
  id: string;
  amount: number;
  tags: string[];
  note: string | null;
}

const ORDER_V1: AvroSchemaOrType = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

describe('AvroSerde', () => {
  const serde = new AvroSerde<Order>(ORDER_V1);
  const order: Order = { id: 'o-1', amount: 1250, tags: ['new', 'ü'], note: null };

  it('should round-trip a record as raw Avro binary', () => {
    const bytes = serde.serialize('orders', order);
    expect(bytes.equals(avro.Type.forSchema(ORDER_V1).toBuffer(order))).toBe(true);
    expect({ ...serde.deserialize('orders', bytes) }).toEqual(order);
  });

  it('should accept an avsc Type and primitive schemas', () => {
    const type = avro.Type.forSchema('long');
    const longs = new AvroSerde<number>(type);
    expect(longs.type).toBe(type);
    expect(longs.deserialize('t', longs.serialize('t', -42))).toBe(-42);
    // Avro longs are zig-zag varints: 1 → 02.
    expect([...longs.serialize('t', 1)]).toEqual([2]);
  });

  it('should fail to serialize an invalid value, naming each bad path', () => {
    const bad = { id: 'o-1', amount: 'lots', tags: ['a', 3], note: null } as unknown as Order;
    let error: unknown;
    try {
      serde.serialize('orders', bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toBe(
      'cannot serialize value as Avro record shop.Order: invalid value: amount: expected long, got "lots"; ' +
        'tags.1: expected string, got 3',
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect((error as SerializationError).context.topic).toBe('orders');
  });

  it('should fail to serialize a value of the wrong shape at the root', () => {
    expect(() => serde.serialize('orders', null as unknown as Order)).toThrow(
      'cannot serialize value as Avro record shop.Order: invalid value: (root): expected shop.Order, got null',
    );
  });

  it('should fail to deserialize truncated bytes and trailing data, with the avsc error as cause', () => {
    const bytes = serde.serialize('orders', order);
    expect(() => serde.deserialize('orders', bytes.subarray(0, bytes.length - 2))).toThrow(
      'cannot deserialize value as Avro record shop.Order: truncated buffer',
    );
    expect(() => serde.deserialize('orders', Buffer.concat([bytes, Buffer.from([0])]))).toThrow(
      'cannot deserialize value as Avro record shop.Order: trailing data',
    );
    const error = (() => {
      try {
        serde.deserialize('orders', Buffer.alloc(0));
      } catch (e) {
        return e as SerializationError;
      }
      throw new Error('expected an error');
    })();
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('should resolve the writer schema a wire format reports to its own schema', () => {
    // A stand-in for a schema-registry format: one prefix byte naming the writer schema.
    const v0 = avro.Type.forSchema({
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'amount', type: 'long' },
        { name: 'tags', type: { type: 'array', items: 'string' } },
      ],
    });
    const writers = new Map<number, Type>([[0, v0]]);
    const prefixed: AvroWireFormat = {
      frame: (_topic, body) => Buffer.concat([Buffer.from([1]), body]),
      unframe: (_topic, data) => ({ body: data.subarray(1), writerType: writers.get(data[0]!) }),
    };
    const evolving = new AvroSerde<Order>(ORDER_V1, { wireFormat: prefixed });
    writers.set(1, evolving.type);

    const old = Buffer.concat([Buffer.from([0]), v0.toBuffer({ id: 'o-0', amount: 5, tags: [] })]);
    expect({ ...evolving.deserialize('orders', old) }).toEqual({ id: 'o-0', amount: 5, tags: [], note: null });
    expect({ ...evolving.deserialize('orders', evolving.serialize('orders', order)) }).toEqual(order);
  });
});
