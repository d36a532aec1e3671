import { describe, expect, it } from 'vitest';
import type { AvroSchemaOrType } from '@kaskade/core';
import { ConfigError } from '@kaskade/processor-api';
import { schemaRegistryAvroSerde } from './schema-registry-avro-serde.js';
import type { SchemaRegistryAvroSerdeOptions } from './schema-registry-avro-serde.js';

const schema: AvroSchemaOrType = { type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }] };

async function rejection(options: SchemaRegistryAvroSerdeOptions): Promise<ConfigError> {
  const error = await schemaRegistryAvroSerde(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

// Invalid options fail before any request: these tests need no registry.
describe('schemaRegistryAvroSerde options', () => {
  it('names every bad field at once', async () => {
    const error = await rejection({
      registry: 'localhost:8081',
      schema: { type: 'record', name: 'Bad', fields: [{ name: 'x', type: 'nope' }] },
      topics: [],
      subjectNameStrategy: 'TopicNameStrategyy' as 'TopicNameStrategy',
    });
    expect(error.issues.map((i) => i.field)).toEqual(['registry', 'schema', 'topics', 'subjectNameStrategy']);
    expect(error.message).toContain('registry: expected an http(s) URL, got "localhost:8081"');
    expect(error.message).toContain('schema: not a valid Avro schema');
    expect(error.message).toContain('topics: expected a non-empty array of topic names');
    expect(error.message).toContain('unknown strategy "TopicNameStrategyy"');
  });

  it('refuses RecordNameStrategy for a schema without a name', async () => {
    const error = await rejection({
      registry: 'http://127.0.0.1:8081',
      schema: 'string',
      topics: ['t'],
      subjectNameStrategy: 'RecordNameStrategy',
    });
    expect(error.issues).toEqual([
      { field: 'subjectNameStrategy', message: 'RecordNameStrategy needs a named Avro schema (a record)' },
    ]);
  });

  it('refuses a registry that is neither a URL nor a client', async () => {
    const error = await rejection({ registry: {} as never, schema, topics: ['t'] });
    expect(error.issues).toEqual([{ field: 'registry', message: 'expected a URL or a schema-registry client' }]);
  });
});
