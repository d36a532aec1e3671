import type { ProcessorContext } from '@kaskade/processor-api';
import { processorMetadataContext } from '@kaskade/core/internal';
import type { ProcessorMetadataContext } from '@kaskade/core/internal';

/**
 * When an aggregation processor with `EmitStrategy.onWindowClose()` (KIP-825) emits its closed windows: at most once
 * per `emitOnWindowCloseIntervalMs` of wall-clock time (checked, and moved on, at every record, also when nothing
 * closed), and only when the close time has moved past the one last emitted up to. That close time is the task's
 * processor metadata under the store's name: committed with the input offsets and read back when the task is
 * created, so that a restart or failover neither emits a window again nor skips one.
 *
 * @see org.apache.kafka.streams.kstream.internals.AbstractKStreamTimeWindowAggregateProcessor
 * @see org.apache.kafka.streams.kstream.internals.KStreamSessionWindowAggregate
 */
export class EmitFinalSchedule {
  readonly #storeName: string;
  readonly #context: ProcessorContext<unknown, unknown>;
  readonly #metadata: ProcessorMetadataContext;
  readonly #intervalMs: number;
  /** The close time emitted up to; undefined: nothing emitted yet. */
  #lastEmitCloseTime: number | undefined;
  #nextTimeToEmit = 0;

  constructor(context: ProcessorContext<unknown, unknown>, storeName: string) {
    this.#context = context;
    this.#storeName = storeName;
    this.#metadata = processorMetadataContext(context);
    this.#lastEmitCloseTime = this.#metadata.processorMetadataForKey(storeName);
    const interval = context.appConfigs()['emitOnWindowCloseIntervalMs'];
    this.#intervalMs = typeof interval === 'number' ? interval : 1000;
  }

  /** The close time emitted up to; undefined: nothing emitted yet. */
  get lastEmitCloseTime(): number | undefined {
    return this.#lastEmitCloseTime;
  }

  /** Whether to look for closed windows now, at `closeTime`. */
  shouldEmit(closeTime: number): boolean {
    const now = this.#context.currentSystemTimeMs();
    if (now < this.#nextTimeToEmit) return false;
    // From now, not from the last due time: a jump of the clock does not make every later record emit.
    this.#nextTimeToEmit = now + this.#intervalMs;
    const last = this.#lastEmitCloseTime;
    return last === undefined || last < closeTime;
  }

  /** The windows closed at `closeTime` were emitted. */
  emitted(closeTime: number): void {
    this.#lastEmitCloseTime = closeTime;
    this.#metadata.addProcessorMetadataKeyValue(this.#storeName, closeTime);
  }
}
