import avro from 'avsc';
import type { Type } from 'avsc';
import type { AvroWireFormat } from '@kaskade/core';
import { frameConfluent, unframeConfluent } from './confluent-wire-format.js';
import { SchemaRegistryWireFormatError } from './schema-registry-error.js';
import type { SubjectNameStrategy } from './subject-name-strategy.js';

/** Looks a writer schema up by id; used for an id first seen in a record (see {@link RegistryAvroWireFormat}). */
export type WriterSchemaFetcher = (schemaId: number, subject: string) => Promise<string>;

/** What the serde knows of one writer schema id that it has asked the registry for, but does not have. */
type Pending = { readonly state: 'fetching' } | { readonly state: 'failed'; readonly reason: string };

/**
 * The Confluent wire format over caches that {@link schemaRegistryAvroSerde} fills before processing starts: the id
 * of the serde's own schema per subject (to write) and the writer schemas by id (to read). Every call is synchronous
 * and touches only in-memory maps: no record waits on the registry.
 *
 * A writer id that is not cached (a schema registered after the serde was prepared, or an id the registry never
 * issued) fails that record with `UNKNOWN_SCHEMA_ID` — it goes to the deserialization exception handler — and starts
 * one background lookup, so that later records with the same id decode once the registry has answered.
 */
export class RegistryAvroWireFormat implements AvroWireFormat {
  readonly #type: Type;
  readonly #isKey: boolean;
  readonly #strategy: SubjectNameStrategy;
  readonly #fetch: WriterSchemaFetcher;
  /** The serde's own schema id by subject, registered or looked up when prepared. */
  readonly #ownIds = new Map<string, number>();
  /** The serde's own schema id by topic: the subject computed once per topic. */
  readonly #idByTopic = new Map<string, number>();
  readonly #writers = new Map<number, Type>();
  readonly #pending = new Map<number, Pending>();

  constructor(type: Type, isKey: boolean, strategy: SubjectNameStrategy, fetch: WriterSchemaFetcher) {
    this.#type = type;
    this.#isKey = isKey;
    this.#strategy = strategy;
    this.#fetch = fetch;
  }

  /** The subject of `topic` under this serde's strategy. */
  subjectOf(topic: string): string {
    return this.#strategy(topic, this.#isKey, this.#type.name);
  }

  /** Records the id under which the serde's own schema is registered in `subject`. */
  addOwnSchema(subject: string, schemaId: number): void {
    this.#ownIds.set(subject, schemaId);
    this.#writers.set(schemaId, this.#type);
  }

  /** Records a writer schema (any version of a prepared subject) for reading. */
  addWriterSchema(schemaId: number, type: Type): void {
    if (!this.#writers.has(schemaId)) this.#writers.set(schemaId, type);
    this.#pending.delete(schemaId);
  }

  /** The writer schema ids this serde can read without asking the registry. */
  knownSchemaIds(): number[] {
    return [...this.#writers.keys()].sort((a, b) => a - b);
  }

  frame(topic: string, body: Buffer): Buffer {
    let id = this.#idByTopic.get(topic);
    if (id === undefined) {
      const subject = this.subjectOf(topic);
      id = this.#ownIds.get(subject);
      if (id === undefined) {
        throw new SchemaRegistryWireFormatError(
          'SUBJECT_NOT_PREPARED',
          `subject ${subject} (topic ${topic}) was not prepared: list topic ${topic} in the serde's topics, so that its ` +
            `schema is registered or looked up before processing starts`,
          { context: { topic, subject } },
        );
      }
      this.#idByTopic.set(topic, id);
    }
    return frameConfluent(id, body);
  }

  unframe(topic: string, data: Buffer): { readonly body: Buffer; readonly writerType?: Type } {
    const { schemaId, body } = unframeConfluent(topic, data);
    const writerType = this.#writers.get(schemaId);
    if (writerType === undefined) throw this.#unknownId(topic, schemaId);
    return { body, writerType };
  }

  #unknownId(topic: string, schemaId: number): SchemaRegistryWireFormatError {
    const subject = this.subjectOf(topic);
    const pending = this.#pending.get(schemaId);
    let why: string;
    if (pending === undefined) {
      this.#startFetch(schemaId, subject);
      why = 'it was not registered when the serde was prepared; asking the registry for it now';
    } else if (pending.state === 'fetching') {
      why = 'the registry has not answered for it yet';
    } else {
      why = pending.reason;
    }
    return new SchemaRegistryWireFormatError(
      'UNKNOWN_SCHEMA_ID',
      `unknown writer schema id ${schemaId} on topic ${topic} (subject ${subject}): ${why} ` +
        `(known ids: ${this.knownSchemaIds().join(', ') || 'none'})`,
      { context: { topic, subject, schemaId } },
    );
  }

  #startFetch(schemaId: number, subject: string): void {
    this.#pending.set(schemaId, { state: 'fetching' });
    this.#fetch(schemaId, subject).then(
      (schema) => {
        try {
          this.addWriterSchema(schemaId, avro.Type.forSchema(JSON.parse(schema) as avro.Schema));
        } catch (error) {
          this.#pending.set(schemaId, {
            state: 'failed',
            reason: `its schema is not valid Avro: ${(error as Error).message}`,
          });
        }
      },
      (error: unknown) => {
        // Failed lookups are remembered: an id the registry does not have must not cost a request per record.
        this.#pending.set(schemaId, { state: 'failed', reason: describeLookupFailure(error) });
      },
    );
  }
}

function describeLookupFailure(error: unknown): string {
  const status = (error as { status?: unknown }).status;
  if (status === 404) return 'the registry has no schema with this id';
  const message = error instanceof Error ? error.message : String(error);
  return status === undefined
    ? `the registry could not be reached: ${message}`
    : `the registry answered ${String(status)}: ${message}`;
}
