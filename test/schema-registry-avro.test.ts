// Avro with a real schema registry (Apicurio Registry's Confluent-compatible API, started by the test like the broker):
// Kaskade writes the Confluent wire format with auto-registered schemas, a second application reads with an evolved
// reader schema, a record with an id the registry never issued goes to the deserialization exception handler, and
// an incompatible schema is refused at registration.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes } from '@kaskade/core';
import type { DeserializationExceptionHandler, Topology } from '@kaskade/core';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { SchemaRegistryError, schemaRegistryAvroSerde } from '@kaskade/schema-registry';
import { readToEnd, startSchemaRegistry, waitUntilCaughtUp } from '@kaskade/testing';
import type { SchemaRegistry } from '@kaskade/testing';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, produce } from './kafka-helpers.js';

interface User {
  name: string;
}
interface UserV2 {
  name: string;
  age: number;
}
const userV1: avro.Schema = {
  type: 'record',
  name: 'User',
  namespace: 'com.example',
  fields: [{ name: 'name', type: 'string' }],
};
const userV2: avro.Schema = {
  type: 'record',
  name: 'User',
  namespace: 'com.example',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int', default: -1 },
  ],
};

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
let registry: SchemaRegistry;

beforeAll(async () => {
  const started = Date.now();
  registry = await startSchemaRegistry();
  console.log(`[schema-registry] ${registry.version} at ${registry.url}, ready in ${Date.now() - started} ms`);
});
afterAll(async () => {
  await registry?.stop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** GET on the registry's Confluent-compatible API, as JSON. */
async function registryGet<T>(path: string): Promise<T> {
  const response = await fetch(`${registry.url}${path}`);
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as T;
}

/** Runs `topology` until it has processed and committed all its input, then closes it. */
async function runToCompletion(
  topology: Topology,
  deserializationExceptionHandler?: DeserializationExceptionHandler,
): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-registry-'));
  dirs.push(stateDir);
  const streams = new KafkaStreams(topology, {
    applicationId: uniqueName('registry-app'),
    bootstrapServers: bootstrapServers(),
    stateDir,
    commitIntervalMs: 100,
    logger: quiet,
    ...(deserializationExceptionHandler ? { deserializationExceptionHandler } : {}),
  });
  await streams.start();
  try {
    await waitUntilCaughtUp(streams, topology);
  } finally {
    expect(await streams.close()).toBe(true);
  }
}

describe('Avro with a schema registry', () => {
  it('writes the Confluent wire format with an auto-registered schema, and reads it with an evolved reader schema', async () => {
    const names = uniqueName('registry-names');
    const users = uniqueName('registry-users');
    const greetings = uniqueName('registry-greetings');
    await createTopics(
      { topic: names, partitions: 2 },
      { topic: users, partitions: 2 },
      { topic: greetings, partitions: 2 },
    );
    const input = ['ann', 'bob', 'cy', 'dee', 'eve'];
    await produce(
      names,
      input.map((name) => ({ key: name, value: name })),
    );

    // Writer: names → User v1, registered under <users>-value on the way (auto-registration).
    const v1Serde = await schemaRegistryAvroSerde<User>({ registry: registry.url, schema: userV1, topics: [users] });
    const writer = new StreamsBuilder();
    writer
      .stream(names, Consumed.with(Serdes.String(), Serdes.String()))
      .mapValues((name): User => ({ name }))
      .to(users, Produced.with(Serdes.String(), v1Serde));
    await runToCompletion(writer.build());

    const subject = `${users}-value`;
    expect(await registryGet<number[]>(`/subjects/${subject}/versions`)).toEqual([1]);
    const v1 = await registryGet<{ id: number; schema: string }>(`/subjects/${subject}/versions/1`);
    expect(avro.Type.forSchema(JSON.parse(v1.schema) as avro.Schema).equals(avro.Type.forSchema(userV1))).toBe(true);
    const written = await readToEnd(bootstrapServers(), users);
    expect(written).toHaveLength(input.length);
    const v1Type = avro.Type.forSchema(userV1);
    for (const record of written) {
      const value = record.value!;
      expect(value[0]).toBe(0);
      expect(value.readInt32BE(1)).toBe(v1.id);
      expect(v1Type.fromBuffer(value.subarray(5))).toEqual({ name: String(record.key) });
    }

    // Reader: User v2 adds `age` with a default. It is BACKWARD compatible, so the registry takes it as version 2;
    // records written with v1 resolve to v2 with age = -1.
    const v2Serde = await schemaRegistryAvroSerde<UserV2>({ registry: registry.url, schema: userV2, topics: [users] });
    expect(await registryGet<number[]>(`/subjects/${subject}/versions`)).toEqual([1, 2]);
    const reader = new StreamsBuilder();
    reader
      .stream(users, Consumed.with(Serdes.String(), v2Serde))
      .mapValues((user) => `${user.name}:${user.age}`)
      .to(greetings, Produced.with(Serdes.String(), Serdes.String()));
    await runToCompletion(reader.build());
    const read = (await readToEnd(bootstrapServers(), greetings)).map((r) => r.value!.toString()).sort();
    expect(read).toEqual(input.map((name) => `${name}:-1`).sort());
  });

  it('sends a record with a schema id the registry never issued, and one without the magic byte, to the deserialization exception handler', async () => {
    const users = uniqueName('registry-unknown-id');
    const out = uniqueName('registry-unknown-id-out');
    await createTopics({ topic: users, partitions: 1 }, { topic: out, partitions: 1 });
    const serde = await schemaRegistryAvroSerde<User>({ registry: registry.url, schema: userV1, topics: [users] });
    const body = avro.Type.forSchema(userV1).toBuffer({ name: 'ghost' });
    const unknownId = 987_654;
    const withUnknownId = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), body]);
    withUnknownId.writeInt32BE(unknownId, 1);
    const withoutMagicByte = Buffer.concat([Buffer.from([1, 0, 0, 0, 1]), body]);
    await produce(users, [
      { key: 'a', value: serde.serialize(users, { name: 'before' }) },
      { key: 'b', value: withUnknownId },
      { key: 'c', value: withoutMagicByte },
      { key: 'd', value: serde.serialize(users, { name: 'after' }) },
    ]);

    const failures: { offset: number; message: string }[] = [];
    const handler: DeserializationExceptionHandler = {
      handle(_context, record, error) {
        failures.push({ offset: record.offset, message: messages(error) });
        return { action: 'CONTINUE' };
      },
    };
    const builder = new StreamsBuilder();
    builder
      .stream(users, Consumed.with(Serdes.String(), serde))
      .mapValues((user) => user.name)
      .to(out, Produced.with(Serdes.String(), Serdes.String()));
    await runToCompletion(builder.build(), handler);

    expect((await readToEnd(bootstrapServers(), out)).map((r) => r.value!.toString())).toEqual(['before', 'after']);
    expect(failures.map((f) => f.offset)).toEqual([1, 2]);
    expect(failures[0]!.message).toContain(
      `unknown writer schema id ${unknownId} on topic ${users} (subject ${users}-value)`,
    );
    expect(failures[1]!.message).toContain(`unknown magic byte 1 on topic ${users}`);
    // The serde asked the registry about the unknown id in the background, and remembers its answer.
    expect(() => serde.deserialize(users, withUnknownId)).toThrow(/the registry has no schema with this id/);
  });

  it('refuses an incompatible schema at registration, naming the subject and topic', async () => {
    const users = uniqueName('registry-incompatible');
    await schemaRegistryAvroSerde<User>({ registry: registry.url, schema: userV1, topics: [users] });
    const nameAsInt: avro.Schema = {
      type: 'record',
      name: 'User',
      namespace: 'com.example',
      fields: [{ name: 'name', type: 'int' }],
    };
    const error = await schemaRegistryAvroSerde({ registry: registry.url, schema: nameAsInt, topics: [users] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaRegistryError);
    expect(error).toMatchObject({
      code: 'KASKADE_SCHEMA_REGISTRY_ERROR',
      reason: 'INCOMPATIBLE_SCHEMA',
      context: { subject: `${users}-value`, topic: users, registry: registry.url },
    });
    expect((error as Error).message).toContain(
      `the schema registry at ${registry.url} refused the schema for subject ${users}-value (topic ${users}) as incompatible`,
    );
    expect(await registryGet<number[]>(`/subjects/${users}-value/versions`)).toEqual([1]);
  });

  it('looks the schema up without registering it when auto-registration is off', async () => {
    const users = uniqueName('registry-lookup');
    const error = await schemaRegistryAvroSerde({
      registry: registry.url,
      schema: userV1,
      topics: [users],
      autoRegister: false,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: 'SCHEMA_NOT_REGISTERED', context: { subject: `${users}-value` } });
    expect((error as Error).message).toContain('auto-registration is off');

    const registered = await schemaRegistryAvroSerde<User>({ registry: registry.url, schema: userV1, topics: [users] });
    const lookedUp = await schemaRegistryAvroSerde<User>({
      registry: registry.url,
      schema: userV1,
      topics: [users],
      autoRegister: false,
    });
    const bytes = lookedUp.serialize(users, { name: 'x' });
    expect(bytes.readInt32BE(1)).toBe(registered.serialize(users, { name: 'x' }).readInt32BE(1));
    expect(await registryGet<number[]>(`/subjects/${users}-value/versions`)).toEqual([1]);
  });

  it('registers under the record name with RecordNameStrategy, one subject for every topic', async () => {
    const name = uniqueName('Rec').replace(/-/g, '_');
    const schema: avro.Schema = {
      type: 'record',
      name,
      namespace: 'com.example',
      fields: [{ name: 'n', type: 'long' }],
    };
    const serde = await schemaRegistryAvroSerde<{ n: number }>({
      registry: registry.url,
      schema,
      topics: [uniqueName('registry-rec-a'), uniqueName('registry-rec-b')],
      subjectNameStrategy: 'RecordNameStrategy',
    });
    const subjects = await registryGet<string[]>('/subjects');
    expect(subjects).toContain(`com.example.${name}`);
    const { id } = await registryGet<{ id: number }>(`/subjects/com.example.${name}/versions/1`);
    expect(serde.serialize('any-topic', { n: 1 }).readInt32BE(1)).toBe(id);
  });

  it('says when the registry cannot be reached', async () => {
    const error = await schemaRegistryAvroSerde({
      registry: 'http://127.0.0.1:1/apis/ccompat/v7',
      schema: userV1,
      topics: ['t'],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: 'REGISTRY_UNREACHABLE', context: { subject: 't-value', topic: 't' } });
    expect((error as Error).message).toContain(
      'the schema registry at http://127.0.0.1:1/apis/ccompat/v7 could not be reached',
    );
  });
});

/** The messages of an error and its causes, joined: the runtime and the serde wrap the wire format's error. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.join(' <- ');
}
