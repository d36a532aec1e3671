import type { Processor, ProcessorSupplier, Record } from '@kaskade/processor-api';
import type { Predicate } from '../../functions.js';
import { ContextualProcessor } from '../contextual-processor.js';

/**
 * `split().branch(...)`: forwards each record to the child of the first predicate that is true, else to the default
 * child (if any); a record matching nothing is dropped, as in Kafka Streams (not an error, so not counted).
 */
export class KStreamBranch<K, V> implements ProcessorSupplier<K, V, K, V> {
  readonly #branches: KStreamBranches<K, V>;

  /** `branches` fills up as the split's branches are declared; processors copy it when a task starts. */
  constructor(branches: KStreamBranches<K, V>) {
    this.#branches = branches;
  }

  get(): Processor<K, V, K, V> {
    const b = this.#branches;
    return new KStreamBranchProcessor([...b.predicates], [...b.childNames], b.defaultChild);
  }
}

/** The branches of one split: predicate i sends to child i; the default child takes the rest. */
export interface KStreamBranches<K, V> {
  readonly predicates: Predicate<K, V>[];
  readonly childNames: string[];
  defaultChild: string | undefined;
}

class KStreamBranchProcessor<K, V> extends ContextualProcessor<K, V, K, V> {
  readonly #predicates: readonly Predicate<K, V>[];
  readonly #childNames: readonly string[];
  readonly #defaultChild: string | undefined;

  constructor(predicates: readonly Predicate<K, V>[], childNames: readonly string[], defaultChild: string | undefined) {
    super();
    this.#predicates = predicates;
    this.#childNames = childNames;
    this.#defaultChild = defaultChild;
  }

  process(record: Record<K, V>): void {
    const predicates = this.#predicates;
    for (let i = 0; i < predicates.length; i++) {
      if (predicates[i]!(record.key, record.value)) {
        this.context.forward(record, this.#childNames[i]);
        return;
      }
    }
    if (this.#defaultChild !== undefined) this.context.forward(record, this.#defaultChild);
  }
}
