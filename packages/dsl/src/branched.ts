import type { KStream } from './kstream.js';
import { checkName } from './named.js';

// The settings are internal (stripped from the published declarations), so this phantom member is what keeps
// Branched<K, V> from accepting another Branched with unrelated type parameters. Never set at run time.
declare const parameterTypes: unique symbol;

/**
 * Options of one branch of `KStream.split()`: its name (the branch's key in the result map is the split's name plus
 * this name, or plus the branch's index), and optionally a function that builds on the branch stream (its result goes
 * into the map) or a consumer (the branch is then not in the map).
 *
 * ```ts
 * const branches = orders.split(Named.as('orders-'))
 *   .branch((k, o) => o.total > 1000, Branched.as('large'))
 *   .defaultBranch(Branched.as('small'));
 * branches.get('orders-large')!.to('large-orders');
 * ```
 * @see org.apache.kafka.streams.kstream.Branched
 */
export class Branched<K, V> {
  declare readonly [parameterTypes]?: [K, V];
  /** @internal */
  readonly name: string | undefined;
  /** @internal */
  readonly chainFunction: ((branch: KStream<K, V>) => KStream<K, V> | null | undefined) | undefined;
  /** @internal */
  readonly chainConsumer: ((branch: KStream<K, V>) => void) | undefined;

  private constructor(
    name: string | undefined,
    chainFunction: ((branch: KStream<K, V>) => KStream<K, V> | null | undefined) | undefined,
    chainConsumer: ((branch: KStream<K, V>) => void) | undefined,
  ) {
    if (name !== undefined) checkName(name, 'Branched');
    this.name = name;
    this.chainFunction = chainFunction;
    this.chainConsumer = chainConsumer;
    Object.freeze(this);
  }

  static as<K = unknown, V = unknown>(name: string): Branched<K, V> {
    return new Branched<K, V>(name, undefined, undefined);
  }

  /** Applies `chain` to the branch; the map holds its result (nothing when it returns null or undefined). */
  static withFunction<K, V>(
    chain: (branch: KStream<K, V>) => KStream<K, V> | null | undefined,
    name?: string,
  ): Branched<K, V> {
    return new Branched<K, V>(name, chain, undefined);
  }

  /** Hands the branch to `chain`; the map does not hold the branch. */
  static withConsumer<K, V>(chain: (branch: KStream<K, V>) => void, name?: string): Branched<K, V> {
    return new Branched<K, V>(name, undefined, chain);
  }

  withName(name: string): Branched<K, V> {
    return new Branched<K, V>(name, this.chainFunction, this.chainConsumer);
  }
}
