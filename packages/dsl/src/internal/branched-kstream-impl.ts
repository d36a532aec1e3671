import { TopologyError } from '@kaskade/processor-api';
import type { BranchedKStream } from '../branched-kstream.js';
import type { Branched } from '../branched.js';
import type { Predicate } from '../functions.js';
import type { KStream } from '../kstream.js';
import { KStreamImpl } from './kstream-impl.js';
import type { KStreamBranches } from './processors/kstream-branch.js';
import { KStreamBranch } from './processors/kstream-branch.js';
import { KStreamPassThrough } from './processors/kstream-pass-through.js';
import type { StreamProps } from './stream-props.js';

/**
 * The handle of `split()`, built as Kafka Streams builds it: the splitter node is added at `split()`, and each
 * `branch()` adds its child node and applies its chain function or consumer at once, so generated names come out in
 * Kafka Streams' order. Like Kafka Streams' handle it accumulates branches (each call returns the same split).
 *
 * @see org.apache.kafka.streams.kstream.internals.BranchedKStreamImpl
 */
export class BranchedKStreamImpl<K, V> implements BranchedKStream<K, V> {
  readonly #source: StreamProps<K, V>;
  readonly #splitterName: string;
  readonly #branches: KStreamBranches<K, V> = { predicates: [], childNames: [], defaultChild: undefined };
  readonly #outputs = new Map<string, KStream<K, V>>();
  #ended = false;

  private constructor(source: StreamProps<K, V>, splitterName: string) {
    this.#source = source;
    this.#splitterName = splitterName;
    source.builder.addProcessor(splitterName, new KStreamBranch<K, V>(this.#branches), [source.name]);
  }

  static create<K, V>(source: StreamProps<K, V>, splitterName: string): BranchedKStreamImpl<K, V> {
    return new BranchedKStreamImpl(source, splitterName);
  }

  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): BranchedKStream<K, V> {
    if (typeof predicate !== 'function') throw new TopologyError('branch() needs a predicate function');
    this.#checkOpen();
    const childName = this.#childName(this.#branches.predicates.length + 1, branched);
    this.#branches.predicates.push(predicate);
    this.#branches.childNames.push(childName);
    this.#create(childName, branched);
    return this;
  }

  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>> {
    this.#checkOpen();
    const childName = this.#childName(0, branched);
    this.#branches.defaultChild = childName;
    this.#create(childName, branched);
    this.#ended = true;
    return this.#outputs;
  }

  noDefaultBranch(): Map<string, KStream<K, V>> {
    this.#checkOpen();
    this.#ended = true;
    return this.#outputs;
  }

  #checkOpen(): void {
    if (this.#ended) throw new TopologyError(`split "${this.#splitterName}" was already ended`);
  }

  #childName(index: number, branched: Branched<K, V> | undefined): string {
    const childName = this.#splitterName + (branched?.name ?? String(index));
    if (this.#branches.childNames.includes(childName) || this.#branches.defaultChild === childName) {
      throw new TopologyError(`split "${this.#splitterName}" already has a branch named "${childName}"`);
    }
    return childName;
  }

  #create(childName: string, branched: Branched<K, V> | undefined): void {
    const builder = this.#source.builder;
    // Kafka Streams takes a counter value per branch; doing the same keeps later generated names identical.
    builder.newProcessorName('KSTREAM-BRANCHCHILD-');
    builder.addProcessor(childName, new KStreamPassThrough<K, V>(), [this.#splitterName]);
    const stream = new KStreamImpl<K, V>({ ...this.#source, name: childName });
    if (branched?.chainFunction) {
      const out = branched.chainFunction(stream);
      if (out != null) this.#outputs.set(childName, out);
    } else if (branched?.chainConsumer) {
      branched.chainConsumer(stream);
    } else {
      this.#outputs.set(childName, stream);
    }
  }
}
