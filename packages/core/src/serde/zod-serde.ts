import * as z from 'zod';
import type { SerializationError, Serde } from '@kaskade/processor-api';
import { formatIssueList, formatIssuePath } from '../errors/format-issues.js';
import { JsonSerde } from './json-serde.js';
import { serdeError } from './serde-error.js';
import type { SerdeOperation } from './serde-error.js';

/**
 * JSON values checked against a zod schema in both directions: a value that does not match is never written, and
 * a record that does not match is never handed to a processor. The error lists every failing path.
 *
 * Serializing uses zod's encode direction and deserializing its decode direction, so a schema built with
 * `z.codec(...)` (say, ISO string ⇄ `Date`) works both ways; a schema with a one-way `.transform()` can only
 * deserialize.
 *
 * ```ts
 * const Order = z.object({ id: z.string(), amount: z.number().nonnegative() });
 * const orders = Serdes.Zod(Order); // Serde<{ id: string; amount: number }>
 * ```
 */
export class ZodSerde<S extends z.ZodType> implements Serde<z.output<S>> {
  readonly schema: S;
  readonly #json = new JsonSerde<unknown>();

  constructor(schema: S) {
    this.schema = schema;
  }

  serialize(topic: string, data: z.output<S>): Buffer {
    let result: ReturnType<typeof z.safeEncode<S>>;
    try {
      result = z.safeEncode(this.schema, data);
    } catch (error) {
      // zod throws (rather than reporting an issue) when the schema has a transform it cannot run backwards.
      throw serdeError('serialize', 'JSON', topic, `the schema cannot encode: ${(error as Error).message}`, error);
    }
    if (!result.success) throw mismatch('serialize', topic, result.error);
    return this.#json.serialize(topic, result.data);
  }

  deserialize(topic: string, data: Buffer): z.output<S> {
    const json = this.#json.deserialize(topic, data);
    const result = z.safeDecode(this.schema, json as z.input<S>);
    if (!result.success) throw mismatch('deserialize', topic, result.error);
    return result.data;
  }
}

/** The error for a value that fails the schema; `context.issues` has one `{ field, message }` per failing path. */
function mismatch(operation: SerdeOperation, topic: string, error: z.ZodError): SerializationError {
  const issues = error.issues.map((issue) => ({ field: formatIssuePath(issue.path), message: issue.message }));
  return serdeError(operation, 'JSON', topic, `it does not match the schema:\n${formatIssueList(issues)}`, error, {
    issues,
  });
}
