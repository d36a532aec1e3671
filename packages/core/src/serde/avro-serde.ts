import avro from 'avsc';
import type { Type } from 'avsc';
import type { Headers, Serde } from '@kaskade/processor-api';
import { serdeError } from './serde-error.js';

/** An Avro schema as avsc accepts it (a type name, a schema object, or a union array), or an avsc `Type`. */
export type AvroSchemaOrType = Parameters<typeof avro.Type.forSchema>[0];

/**
 * Where the Avro binary body sits in a record's bytes. The serde encodes and decodes the body; the wire format wraps
 * it for the topic and, on the way back, says which schema the body was written with.
 *
 * The built-in format is raw Avro (the body alone). A schema-registry format (Confluent's magic byte 0 + 4-byte
 * big-endian schema id + body) fits here: `frame` prefixes the registered id of the serde's schema, `unframe` strips
 * the prefix and returns the writer type for that id. Serdes are synchronous, so such a format must look ids up in a
 * cache filled before processing starts.
 */
export interface AvroWireFormat {
  /** The bytes to write for an Avro body encoded with the serde's type. */
  frame(topic: string, body: Buffer, type: Type, headers?: Headers): Buffer;
  /**
   * The Avro body inside `data`, and the type it was written with when that may differ from the serde's own (the
   * serde then resolves the writer's schema to its own, following Avro's schema-evolution rules).
   */
  unframe(topic: string, data: Buffer, headers?: Headers): { readonly body: Buffer; readonly writerType?: Type };
}

/** Raw Avro binary: the record's bytes are the Avro encoding of the value and nothing else. */
export const rawAvroWireFormat: AvroWireFormat = Object.freeze({
  frame: (_topic: string, body: Buffer) => body,
  unframe: (_topic: string, data: Buffer) => ({ body: data }),
});

/** Options of {@link AvroSerde}. */
export interface AvroSerdeOptions {
  /** How the Avro body is framed on the topic; raw Avro binary by default. */
  readonly wireFormat?: AvroWireFormat;
}

/**
 * Values as Avro binary, encoded and decoded with an avsc `Type` (`Type.forSchema(schema)`).
 *
 * Decoded Avro records are instances of avsc's generated record classes (plain fields, plus a prototype with
 * `clone`, `toBuffer`, ...), not object literals.
 *
 * ```ts
 * const orders = Serdes.Avro<Order>({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }] });
 * ```
 */
export class AvroSerde<T> implements Serde<T> {
  readonly type: Type;
  readonly #wireFormat: AvroWireFormat;
  readonly #format: string;
  /** Resolvers from writer types that differ from ours, built once per writer type. */
  readonly #resolvers = new WeakMap<Type, ReturnType<Type['createResolver']>>();

  constructor(schemaOrType: AvroSchemaOrType, options: AvroSerdeOptions = {}) {
    this.type = avro.Type.isType(schemaOrType) ? (schemaOrType as Type) : avro.Type.forSchema(schemaOrType);
    this.#wireFormat = options.wireFormat ?? rawAvroWireFormat;
    this.#format = `Avro ${this.type.typeName}${this.type.name === undefined ? '' : ` ${this.type.name}`}`;
  }

  serialize(topic: string, data: T, headers?: Headers): Buffer {
    let body: Buffer;
    try {
      body = this.type.toBuffer(data);
    } catch (error) {
      // Validate only on failure: a second pass over every valid value would double the cost of the common case.
      throw serdeError('serialize', this.#format, topic, this.#explainInvalid(data, error), error);
    }
    return this.#wireFormat.frame(topic, body, this.type, headers);
  }

  deserialize(topic: string, data: Buffer, headers?: Headers): T {
    try {
      const { body, writerType } = this.#wireFormat.unframe(topic, data, headers);
      return this.type.fromBuffer(body, writerType === undefined ? undefined : this.#resolverFor(writerType)) as T;
    } catch (error) {
      throw serdeError('deserialize', this.#format, topic, (error as Error).message, error);
    }
  }

  #resolverFor(writerType: Type): ReturnType<Type['createResolver']> | undefined {
    if (writerType === this.type) return undefined;
    let resolver = this.#resolvers.get(writerType);
    if (resolver === undefined) {
      resolver = this.type.createResolver(writerType);
      this.#resolvers.set(writerType, resolver);
    }
    return resolver;
  }

  #explainInvalid(data: unknown, error: unknown): string {
    const problems: string[] = [];
    this.type.isValid(data, {
      errorHook: (path, value, type) => {
        problems.push(`${path.length === 0 ? '(root)' : path.join('.')}: expected ${label(type)}, got ${show(value)}`);
      },
    });
    return problems.length > 0 ? `invalid value: ${problems.join('; ')}` : (error as Error).message;
  }
}

function label(type: Type): string {
  return type.name ?? type.typeName;
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  } catch {
    return String(value);
  }
}
