// Only the client module, and only when a serde is created: the package's index loads every KMS driver (AWS, Azure,
// GCP, Vault; seconds of start-up), which an application that imports `kaskade` without this serde must not pay for.
import type { RestError } from '@confluentinc/schemaregistry/dist/rest-error.js';
import type { Client, SchemaInfo } from '@confluentinc/schemaregistry/dist/schemaregistry-client.js';
import avro from 'avsc';
import type { Type } from 'avsc';
import { AvroSerde } from '@kaskade/core';
import type { AvroSchemaOrType } from '@kaskade/core';
import { ConfigError } from '@kaskade/processor-api';
import { RegistryAvroWireFormat } from './registry-avro-wire-format.js';
import { SchemaRegistryError } from './schema-registry-error.js';
import { subjectNameStrategies } from './subject-name-strategy.js';
import type { SubjectNameStrategy } from './subject-name-strategy.js';

/** The registry calls a registry-aware serde makes; `SchemaRegistryClient` of `@confluentinc/schemaregistry` has them. */
export type SchemaRegistryClientLike = Pick<
  Client,
  'register' | 'getId' | 'getAllVersions' | 'getSchemaMetadata' | 'getBySubjectAndId'
>;

/** Options of {@link schemaRegistryAvroSerde}. */
export interface SchemaRegistryAvroSerdeOptions {
  /**
   * The registry's Confluent-compatible base URL (e.g. `http://registry:8081`, or Apicurio's
   * `http://registry:8080/apis/ccompat/v7`), or a client of `@confluentinc/schemaregistry` configured with
   * authentication, retries and so on.
   */
  readonly registry: string | SchemaRegistryClientLike;
  /** The serde's own schema: what it writes, and the reader schema that records written with others resolve to. */
  readonly schema: AvroSchemaOrType;
  /**
   * The topics this serde writes and reads. Their subjects are registered or looked up, and every schema version
   * registered under them is fetched, before the serde is returned: serdes are synchronous, so this is the only time
   * the registry is waited for.
   */
  readonly topics: readonly string[];
  /** Whether the serde is for record keys (subject `<topic>-key` under the topic strategy). Default false. */
  readonly isKey?: boolean;
  /**
   * Register the schema under each subject (true, Confluent's `auto.register.schemas` default) or only look it up and
   * fail if it is not registered (false). Default true.
   */
  readonly autoRegister?: boolean;
  /** How subjects are named. Default `TopicNameStrategy` (`<topic>-value`). */
  readonly subjectNameStrategy?: keyof typeof subjectNameStrategies | SubjectNameStrategy;
}

/**
 * An Avro serde for topics whose schemas live in a schema registry: it writes the Confluent wire format (magic byte 0,
 * 4-byte schema id, Avro body) and reads records written with any schema version registered under the topic's
 * subject, resolving each writer schema to its own (Avro schema evolution: added fields with defaults, ...).
 *
 * The returned promise settles once the registry has been asked everything the serde needs (see
 * {@link SchemaRegistryAvroSerdeOptions.topics}): await it before building the topology, like Kafka Streams' first
 * blocking lookup. After that no record waits on the registry. It rejects with a {@link SchemaRegistryError}
 * (incompatible schema, schema not registered, registry unreachable, ...) naming the subject and topic, and with a
 * `ConfigError` for invalid options.
 *
 * ```ts
 * const orders = await schemaRegistryAvroSerde<Order>({
 *   registry: 'http://127.0.0.1:8081',
 *   schema: { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }] },
 *   topics: ['orders'],
 * });
 * builder.stream('orders', { keySerde: Serdes.String(), valueSerde: orders });
 * ```
 *
 * @see io.confluent.kafka.streams.serdes.avro.GenericAvroSerde
 */
export async function schemaRegistryAvroSerde<T>(options: SchemaRegistryAvroSerdeOptions): Promise<AvroSerde<T>> {
  const { registry, url, type, strategy, topics } = validate(options);
  const client = typeof registry === 'string' ? await connect(registry) : registry;
  const isKey = options.isKey ?? false;
  const autoRegister = options.autoRegister ?? true;
  const wireFormat = new RegistryAvroWireFormat(type, isKey, strategy, (id, subject) =>
    client.getBySubjectAndId(subject, id).then((info) => info.schema),
  );
  // With its attributes: avsc's plain schema() drops field defaults, and a registry then refuses an added field with a
  // default as incompatible (and readers of it could not fill the field in).
  const own: SchemaInfo = { schemaType: 'AVRO', schema: JSON.stringify(type.schema({ exportAttrs: true })) };
  const subjects = new Map<string, string>();
  for (const topic of topics) {
    const subject = wireFormat.subjectOf(topic);
    if (!subjects.has(subject)) subjects.set(subject, topic);
  }
  for (const [subject, topic] of subjects) {
    const where = { subject, topic, registry: url };
    const id = await call({ ...where, lookup: !autoRegister }, () =>
      autoRegister ? client.register(subject, own, false) : client.getId(subject, own, false),
    );
    wireFormat.addOwnSchema(subject, id);
    for (const version of await call(where, () => client.getAllVersions(subject))) {
      const metadata = await call({ ...where, version }, () => client.getSchemaMetadata(subject, version, false));
      if (metadata.id === undefined || metadata.id === id) continue;
      // Another schema type under the subject (JSON Schema, Protobuf) is not readable by an Avro serde: skip it.
      if (metadata.schemaType !== undefined && metadata.schemaType !== 'AVRO') continue;
      wireFormat.addWriterSchema(metadata.id, parseWriterSchema(metadata.schema, { ...where, schemaId: metadata.id }));
    }
  }
  return new AvroSerde<T>(type, { wireFormat });
}

async function connect(url: string): Promise<SchemaRegistryClientLike> {
  const { SchemaRegistryClient } = await import('@confluentinc/schemaregistry/dist/schemaregistry-client.js');
  return new SchemaRegistryClient({ baseURLs: [url], maxRetries: 2, retriesWaitMs: 200 });
}

function validate(options: SchemaRegistryAvroSerdeOptions): {
  registry: string | SchemaRegistryClientLike;
  url: string | undefined;
  type: Type;
  strategy: SubjectNameStrategy;
  topics: readonly string[];
} {
  const issues: { field: string; message: string }[] = [];
  let registry: string | SchemaRegistryClientLike | undefined;
  let url: string | undefined;
  if (typeof options.registry === 'string') {
    url = options.registry;
    if (!/^https?:\/\/[^/]/.test(url))
      issues.push({ field: 'registry', message: `expected an http(s) URL, got ${JSON.stringify(url)}` });
    else registry = url;
  } else if (typeof options.registry?.register === 'function') {
    registry = options.registry;
  } else {
    issues.push({ field: 'registry', message: 'expected a URL or a schema-registry client' });
  }
  let type: Type | undefined;
  try {
    type = avro.Type.isType(options.schema) ? (options.schema as Type) : avro.Type.forSchema(options.schema);
  } catch (error) {
    issues.push({ field: 'schema', message: `not a valid Avro schema: ${(error as Error).message}` });
  }
  const topics = options.topics;
  if (!Array.isArray(topics) || topics.length === 0 || topics.some((t) => typeof t !== 'string' || t === '')) {
    issues.push({ field: 'topics', message: 'expected a non-empty array of topic names' });
  }
  const named = options.subjectNameStrategy ?? 'TopicNameStrategy';
  let strategy: SubjectNameStrategy | undefined;
  if (typeof named === 'function') strategy = named;
  else if (Object.hasOwn(subjectNameStrategies, named)) strategy = subjectNameStrategies[named];
  else {
    issues.push({
      field: 'subjectNameStrategy',
      message: `unknown strategy ${JSON.stringify(named)}; expected one of ${Object.keys(subjectNameStrategies).join(', ')} or a function`,
    });
  }
  if (strategy !== undefined && type !== undefined && named === 'RecordNameStrategy' && type.name === undefined) {
    issues.push({ field: 'subjectNameStrategy', message: 'RecordNameStrategy needs a named Avro schema (a record)' });
  }
  if (issues.length > 0 || registry === undefined || type === undefined || strategy === undefined) {
    throw new ConfigError(
      `invalid schema-registry Avro serde options: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return { registry, url, type, strategy, topics };
}

function parseWriterSchema(schema: string, context: Record<string, unknown>): Type {
  try {
    return avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
  } catch (error) {
    throw new SchemaRegistryError(
      'INVALID_SCHEMA',
      `schema id ${String(context['schemaId'])} of subject ${String(context['subject'])} is not valid Avro: ${(error as Error).message}`,
      { cause: error, context },
    );
  }
}

/** Runs one registry request, turning its failure into a {@link SchemaRegistryError} that says where. */
async function call<R>(
  where: Record<string, unknown> & { subject: string; topic: string },
  request: () => Promise<R>,
): Promise<R> {
  try {
    return await request();
  } catch (error) {
    throw toRegistryError(error, where);
  }
}

function toRegistryError(
  error: unknown,
  where: Record<string, unknown> & { subject: string; topic: string },
): SchemaRegistryError {
  const at = `subject ${where.subject} (topic ${where.topic})`;
  const registry =
    where['registry'] === undefined ? 'the schema registry' : `the schema registry at ${String(where['registry'])}`;
  // The client's RestError carries the HTTP status; anything else (a socket error) had no answer at all.
  if (!isRestError(error)) {
    return new SchemaRegistryError(
      'REGISTRY_UNREACHABLE',
      `${registry} could not be reached for ${at}: ${(error as Error).message ?? String(error)}`,
      { cause: error, context: where },
    );
  }
  const detail = error.message;
  switch (error.status) {
    case 409:
      return new SchemaRegistryError(
        'INCOMPATIBLE_SCHEMA',
        `${registry} refused the schema for ${at} as incompatible: ${detail}`,
        {
          cause: error,
          context: where,
        },
      );
    case 404:
      return new SchemaRegistryError(
        'SCHEMA_NOT_REGISTERED',
        `${registry} has no such schema under ${at}${where['lookup'] === true ? ' (auto-registration is off, so the schema must be registered beforehand)' : ''}: ${detail}`,
        { cause: error, context: where },
      );
    case 422:
      return new SchemaRegistryError(
        'INVALID_SCHEMA',
        `${registry} refused the schema for ${at} as invalid: ${detail}`,
        {
          cause: error,
          context: where,
        },
      );
    default:
      return new SchemaRegistryError('REGISTRY_ERROR', `${registry} answered ${error.status} for ${at}: ${detail}`, {
        cause: error,
        context: where,
      });
  }
}

function isRestError(error: unknown): error is RestError {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}
