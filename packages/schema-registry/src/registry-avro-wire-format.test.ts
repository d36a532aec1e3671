import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AvroSerde } from '@kaskade/core';
import { SerializationError } from '@kaskade/processor-api';
import { frameConfluent } from './confluent-wire-format.js';
import { RegistryAvroWireFormat } from './registry-avro-wire-format.js';
import { RecordNameStrategy, TopicNameStrategy, TopicRecordNameStrategy } from './subject-name-strategy.js';

const v1 = avro.Type.forSchema({
  type: 'record',
  name: 'User',
  namespace: 'com.example',
  fields: [{ name: 'name', type: 'string' }],
});
const v2 = avro.Type.forSchema({
  type: 'record',
  name: 'User',
  namespace: 'com.example',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int', default: -1 },
  ],
});

/** A fetcher whose answers the test controls; each call is recorded. */
function controlledFetcher(): {
  fetch: (id: number, subject: string) => Promise<string>;
  calls: [number, string][];
  answer: (schema: string | Error) => void;
} {
  const calls: [number, string][] = [];
  let settle: ((schema: string | Error) => void) | undefined;
  return {
    calls,
    fetch: (id, subject) => {
      calls.push([id, subject]);
      return new Promise((resolve, reject) => {
        settle = (s) => (s instanceof Error ? reject(s) : resolve(s));
      });
    },
    answer: (schema) => settle?.(schema),
  };
}

describe('RegistryAvroWireFormat', () => {
  it('writes the id registered for the topic subject, and reads it back', () => {
    const wire = new RegistryAvroWireFormat(v1, false, TopicNameStrategy, () => Promise.reject(new Error('unused')));
    wire.addOwnSchema('users-value', 42);
    const serde = new AvroSerde<{ name: string }>(v1, { wireFormat: wire });
    const bytes = serde.serialize('users', { name: 'ann' });
    expect([...bytes.subarray(0, 5)]).toEqual([0, 0, 0, 0, 42]);
    expect(bytes.subarray(5)).toEqual(v1.toBuffer({ name: 'ann' }));
    expect({ ...serde.deserialize('users', bytes) }).toEqual({ name: 'ann' });
  });

  it('resolves an older writer schema to the reader schema (added field takes its default)', () => {
    const wire = new RegistryAvroWireFormat(v2, false, TopicNameStrategy, () => Promise.reject(new Error('unused')));
    wire.addOwnSchema('users-value', 2);
    wire.addWriterSchema(1, v1);
    const serde = new AvroSerde<{ name: string; age: number }>(v2, { wireFormat: wire });
    const old = frameConfluent(1, v1.toBuffer({ name: 'bob' }));
    expect({ ...serde.deserialize('users', old) }).toEqual({ name: 'bob', age: -1 });
  });

  it('refuses to write to a topic whose subject was not prepared', () => {
    const wire = new RegistryAvroWireFormat(v1, false, TopicNameStrategy, () => Promise.reject(new Error('unused')));
    wire.addOwnSchema('users-value', 1);
    const serde = new AvroSerde<{ name: string }>(v1, { wireFormat: wire });
    let error: unknown;
    try {
      serde.serialize('other', { name: 'x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toContain('subject other-value (topic other) was not prepared');
    expect(error).toMatchObject({
      reason: 'SUBJECT_NOT_PREPARED',
      context: { topic: 'other', subject: 'other-value' },
    });
  });

  it('fails an unknown writer id, fetches it once in the background, and reads later records with it', async () => {
    const fetcher = controlledFetcher();
    const wire = new RegistryAvroWireFormat(v2, false, TopicNameStrategy, fetcher.fetch);
    wire.addOwnSchema('users-value', 2);
    const serde = new AvroSerde<{ name: string; age: number }>(v2, { wireFormat: wire });
    const record = frameConfluent(9, v1.toBuffer({ name: 'cy' }));

    expect(() => serde.deserialize('users', record)).toThrow(
      /unknown writer schema id 9 on topic users \(subject users-value\): it was not registered when the serde was prepared; asking the registry for it now \(known ids: 2\)/,
    );
    expect(() => serde.deserialize('users', record)).toThrow(/the registry has not answered for it yet/);
    expect(fetcher.calls).toEqual([[9, 'users-value']]);

    fetcher.answer(JSON.stringify(v1.schema()));
    await new Promise((resolve) => setImmediate(resolve));
    expect({ ...serde.deserialize('users', record) }).toEqual({ name: 'cy', age: -1 });
    expect(wire.knownSchemaIds()).toEqual([2, 9]);
  });

  it('remembers that the registry has no schema with an id, without asking again', async () => {
    const fetcher = controlledFetcher();
    const wire = new RegistryAvroWireFormat(v1, false, TopicNameStrategy, fetcher.fetch);
    const serde = new AvroSerde<{ name: string }>(v1, { wireFormat: wire });
    const record = frameConfluent(77, v1.toBuffer({ name: 'x' }));
    expect(() => serde.deserialize('users', record)).toThrow(/unknown writer schema id 77/);
    fetcher.answer(Object.assign(new Error('Schema not found'), { status: 404 }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => serde.deserialize('users', record)).toThrow(
      /unknown writer schema id 77 on topic users \(subject users-value\): the registry has no schema with this id/,
    );
    expect(fetcher.calls).toHaveLength(1);
  });
});

describe('subject name strategies', () => {
  it('name subjects as Confluent does', () => {
    expect(TopicNameStrategy('orders', false, 'com.example.User')).toBe('orders-value');
    expect(TopicNameStrategy('orders', true, undefined)).toBe('orders-key');
    expect(RecordNameStrategy('orders', false, 'com.example.User')).toBe('com.example.User');
    expect(TopicRecordNameStrategy('orders', false, 'com.example.User')).toBe('orders-com.example.User');
    expect(() => RecordNameStrategy('orders', false, undefined)).toThrow(/needs an Avro record schema/);
  });

  it('RecordNameStrategy shares one subject across topics', () => {
    const wire = new RegistryAvroWireFormat(v1, false, RecordNameStrategy, () => Promise.reject(new Error('unused')));
    wire.addOwnSchema('com.example.User', 5);
    const serde = new AvroSerde<{ name: string }>(v1, { wireFormat: wire });
    expect(serde.serialize('a', { name: 'n' }).readInt32BE(1)).toBe(5);
    expect(serde.serialize('b', { name: 'n' }).readInt32BE(1)).toBe(5);
  });
});
