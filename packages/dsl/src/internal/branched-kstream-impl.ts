import { TopologyError } from '@kaskade/processor-api';
import type { BranchedKStream } from '../branched-kstream.js';
import type { Branched } from '../branched.js';
import type { Predicate } from '../functions.js';
import type { KStream } from '../kstream.js';
import { KStreamImpl } from './kstream-impl.js';
import { KStreamBranch } from './processors/kstream-branch.js';
import { KStreamPassThrough } from './processors/kstream-pass-through.js';
import type { StreamProps } from './stream-props.js';

interface BranchSpec<K, V> {
  readonly childName: string;
  readonly predicate: Predicate<K, V> | undefined;
  readonly branched: Branched<K, V> | undefined;
}

/**
 * The immutable handle of `split()`: names are taken from the builder's counter when `split`/`branch` are called (as
 * in Kafka Streams), and the splitter and branch nodes are added to the graph when the split is ended with
 * `defaultBranch()` or `noDefaultBranch()` — a split that is never ended adds nothing.
 *
 * @see org.apache.kafka.streams.kstream.internals.BranchedKStreamImpl
 */
export class BranchedKStreamImpl<K, V> implements BranchedKStream<K, V> {
  readonly #source: StreamProps<K, V>;
  readonly #splitterName: string;
  readonly #branches: readonly BranchSpec<K, V>[];

  private constructor(source: StreamProps<K, V>, splitterName: string, branches: readonly BranchSpec<K, V>[]) {
    this.#source = source;
    this.#splitterName = splitterName;
    this.#branches = branches;
  }

  static create<K, V>(source: StreamProps<K, V>, splitterName: string): BranchedKStreamImpl<K, V> {
    return new BranchedKStreamImpl(source, splitterName, []);
  }

  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): BranchedKStream<K, V> {
    if (typeof predicate !== 'function') throw new TopologyError('branch() needs a predicate function');
    const spec = this.#spec(this.#branches.length + 1, predicate, branched);
    return new BranchedKStreamImpl(this.#source, this.#splitterName, [...this.#branches, spec]);
  }

  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>> {
    return this.#end(this.#spec(0, undefined, branched));
  }

  noDefaultBranch(): Map<string, KStream<K, V>> {
    return this.#end(undefined);
  }

  #spec(index: number, predicate: Predicate<K, V> | undefined, branched: Branched<K, V> | undefined): BranchSpec<K, V> {
    const childName = this.#splitterName + (branched?.name ?? String(index));
    if (this.#branches.some((b) => b.childName === childName)) {
      throw new TopologyError(`split "${this.#splitterName}" already has a branch named "${childName}"`);
    }
    // Kafka Streams takes a counter value per branch; doing the same keeps later generated names identical.
    this.#source.builder.newProcessorName('KSTREAM-BRANCHCHILD-');
    return { childName, predicate, branched };
  }

  #end(defaultBranch: BranchSpec<K, V> | undefined): Map<string, KStream<K, V>> {
    const source = this.#source;
    const builder = source.builder;
    const branches = defaultBranch === undefined ? this.#branches : [...this.#branches, defaultBranch];
    builder.addProcessor(
      this.#splitterName,
      new KStreamBranch<K, V>(
        this.#branches.map((b) => b.predicate!),
        this.#branches.map((b) => b.childName),
        defaultBranch?.childName,
      ) as never,
      [source.name],
    );
    const result = new Map<string, KStream<K, V>>();
    for (const b of branches) {
      builder.addProcessor(b.childName, new KStreamPassThrough<K, V>() as never, [this.#splitterName]);
      const stream = new KStreamImpl<K, V>({ ...source, name: b.childName });
      if (b.branched?.chainFunction) {
        const out = b.branched.chainFunction(stream);
        if (out != null) result.set(b.childName, out);
      } else if (b.branched?.chainConsumer) {
        b.branched.chainConsumer(stream);
      } else {
        result.set(b.childName, stream);
      }
    }
    return result;
  }
}
