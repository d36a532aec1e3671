import type { Branched } from './branched.js';
import type { Predicate } from './functions.js';
import type { KStream } from './kstream.js';

/**
 * The branches of `KStream.split()`: each record goes to the first branch whose predicate it satisfies, else to the
 * default branch (or nowhere). `defaultBranch()` / `noDefaultBranch()` end the split and return the branches by name:
 * the split's name (`Named`, default the generated processor name) followed by the branch's name (`Branched.as`) or
 * its 1-based position; the default branch's position is 0.
 *
 * ```ts
 * const b = stream.split(Named.as('s-')).branch((k, v) => v > 0, Branched.as('pos')).defaultBranch(Branched.as('rest'));
 * b.get('s-pos')!.to('positive');
 * ```
 * @see org.apache.kafka.streams.kstream.BranchedKStream
 */
export interface BranchedKStream<K, V> {
  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): BranchedKStream<K, V>;
  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>>;
  noDefaultBranch(): Map<string, KStream<K, V>>;
}
