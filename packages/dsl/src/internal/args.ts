import { TopologyError } from '@kaskade/processor-api';
import { Materialized } from '../materialized.js';
import { Named } from '../named.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';

/** Sorts out the optional `(named?, materialized?)` / `(materialized)` arguments of an operation. */
export function namedAndMaterialized<K, V>(
  first: Named | Materialized<K, V> | undefined,
  second: Materialized<K, V> | undefined,
  operation: string,
): [Named | undefined, Materialized<K, V> | undefined] {
  if (first === undefined) return [undefined, second];
  if (first instanceof Named) return [first, second];
  if (first instanceof Materialized) {
    if (second !== undefined)
      throw new TopologyError(`${operation}: pass a Named before the Materialized, not two Materialized`);
    return [undefined, first];
  }
  throw new TopologyError(`${operation}: expected a Named or a Materialized, got ${String(first)}`);
}

/**
 * The user's name, or a generated `<prefix><counter>`. A given name still takes a counter value, as in Kafka Streams
 * (`NamedInternal.orElseGenerateWithPrefix`), so naming one operation leaves every other generated name unchanged.
 */
export function nameOrGenerate(builder: InternalStreamsBuilder, named: Named | undefined, prefix: string): string {
  const generated = builder.newProcessorName(prefix);
  return named?.name ?? generated;
}

/** Casts a Materialized of any types to the erased form internal helpers take. */
export function erased<K, V>(m: Materialized<K, V> | undefined): Materialized<unknown, unknown> | undefined {
  return m as Materialized<unknown, unknown> | undefined;
}
