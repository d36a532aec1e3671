import { isUtf8 } from 'node:buffer';
import type { Serde } from '@kaskade/processor-api';
import { serdeError } from './serde-error.js';

/**
 * Values as UTF-8 JSON text (`JSON.stringify` / `JSON.parse`).
 *
 * The type parameter is not checked: whatever JSON arrives is returned as a `T`. To validate what you read, use
 * {@link ZodSerde} (`Serdes.Zod(schema)`).
 *
 * Serializing fails for what JSON cannot represent (`undefined`, a function or a symbol at the top level, a bigint,
 * a cycle); note that `JSON.stringify` drops `undefined` properties and turns `NaN` and `Infinity` into `null`.
 */
export class JsonSerde<T> implements Serde<T> {
  serialize(topic: string, data: T): Buffer {
    let text: string | undefined;
    try {
      text = JSON.stringify(data);
    } catch (error) {
      throw serdeError('serialize', 'JSON', topic, (error as Error).message, error);
    }
    // JSON.stringify returns undefined (not a string) for undefined, functions and symbols.
    if (text === undefined) throw serdeError('serialize', 'JSON', topic, `${typeof data} has no JSON representation`);
    return Buffer.from(text, 'utf8');
  }

  deserialize(topic: string, data: Buffer): T {
    if (!isUtf8(data)) throw serdeError('deserialize', 'JSON', topic, 'the bytes are not valid UTF-8');
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch (error) {
      throw serdeError('deserialize', 'JSON', topic, (error as Error).message, error);
    }
  }
}
