import { IllegalStateError } from '@kaskade/processor-api';
import type { Processor, ProcessorContext, Record } from '@kaskade/processor-api';

/** Base of the DSL's processors: keeps the context that `init` receives. */
export abstract class ContextualProcessor<KIn, VIn, KOut = never, VOut = never> implements Processor<
  KIn,
  VIn,
  KOut,
  VOut
> {
  #context: ProcessorContext<KOut, VOut> | undefined;

  init(context: ProcessorContext<KOut, VOut>): void {
    this.#context = context;
  }

  protected get context(): ProcessorContext<KOut, VOut> {
    const context = this.#context;
    if (context === undefined) throw new IllegalStateError(`${this.constructor.name} was used before init()`);
    return context;
  }

  abstract process(record: Record<KIn, VIn>): void;
}
