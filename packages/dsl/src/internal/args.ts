import { TopologyError } from '@kaskade/processor-api';
import type { Serde } from '@kaskade/processor-api';
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

/** What the user's arguments say about an aggregation, and the names and serde its operation implies. */
export interface AggregationArgs<K, VA> {
  readonly named: Named | undefined;
  readonly materialized: Materialized<K, VA> | undefined;
  /** The processor's name prefix, e.g. `KSTREAM-AGGREGATE-`, `KSTREAM-REDUCE-`. */
  readonly prefix: string;
  /** The aggregates' serde (undefined: the app default). */
  readonly valueSerde: Serde<VA> | undefined;
}

/**
 * Sorts out the optional `(named?, materialized?)` arguments of `count`/`reduce`/`aggregate`; the aggregates' serde
 * is the Materialized one, else `valueSerde` (count: Int64, reduce: the grouping's value serde).
 */
export function aggregationArgs<K, VA>(
  first: Named | Materialized<K, VA> | undefined,
  second: Materialized<K, VA> | undefined,
  operation: string,
  prefix: string,
  valueSerde?: Serde<VA>,
): AggregationArgs<K, VA> {
  const [named, materialized] = namedAndMaterialized(first, second, operation);
  return { named, materialized, prefix, valueSerde: materialized?.valueSerde ?? valueSerde };
}
