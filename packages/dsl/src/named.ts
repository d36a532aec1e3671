import { TopologyError } from '@kaskade/processor-api';

const NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;

/**
 * A name for the processor an operator creates, instead of the generated `KSTREAM-FILTER-0000000001`. Naming the
 * operators of an application keeps its processor names (and the names derived from them) stable when the topology
 * changes elsewhere.
 *
 * ```ts
 * stream.filter((k, v) => v.amount > 0, Named.as('positive-amounts'));
 * ```
 * @see org.apache.kafka.streams.kstream.Named
 */
export class Named {
  /** @internal */
  readonly name: string;

  private constructor(name: string) {
    checkName(name, 'Named');
    this.name = name;
    Object.freeze(this);
  }

  static as(name: string): Named {
    return new Named(name);
  }

  withName(name: string): Named {
    return new Named(name);
  }
}

/** Validates a user-given processor, store or topic name part: the characters Kafka topics allow. */
export function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || name.length > 249) {
    throw new TopologyError(`${what} name "${String(name)}" is invalid: use 1 to 249 letters, digits, '.', '_' or '-'`);
  }
}
