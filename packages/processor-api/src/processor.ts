import type { FixedKeyProcessorContext, ProcessorContext } from './processor-context.js';
import type { Record } from './record.js';
import type { StoreBuilder } from './store/store-builder.js';
import type { StateStore } from './store/state-store.js';

/**
 * A node of a topology. `process` is synchronous: it may forward records, read and write state stores and schedule
 * punctuations, but it never awaits. I/O belongs to the runtime.
 *
 * ```ts
 * class Upper implements Processor<string, string, string, string> {
 *   #ctx!: ProcessorContext<string, string>;
 *   init(ctx: ProcessorContext<string, string>) { this.#ctx = ctx; }
 *   process(r: Record<string, string>) { this.#ctx.forward(r.withValue(r.value.toUpperCase())); }
 * }
 * ```
 * @see org.apache.kafka.streams.processor.api.Processor
 */
export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: Record<KIn, VIn>): void;
  close?(): void;
}

/**
 * A processor that cannot change the key, so downstream partitioning stays valid without a repartition.
 *
 * @see org.apache.kafka.streams.processor.api.FixedKeyProcessor
 */
export interface FixedKeyProcessor<KIn, VIn, VOut = never> {
  init?(context: FixedKeyProcessorContext<KIn, VOut>): void;
  process(record: Record<KIn, VIn>): void;
  close?(): void;
}

/** Stores a supplier brings along; the topology adds and connects them to the supplier's processor. */
export interface ConnectedStoreProvider {
  stores?(): readonly StoreBuilder<StateStore>[];
}

/**
 * Makes a new processor instance for each task. `get()` must return a fresh object each time: one instance per task.
 *
 * @see org.apache.kafka.streams.processor.api.ProcessorSupplier
 */
export interface ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> extends ConnectedStoreProvider {
  get(): Processor<KIn, VIn, KOut, VOut>;
}

/** @see org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier */
export interface FixedKeyProcessorSupplier<KIn, VIn, VOut = never> extends ConnectedStoreProvider {
  get(): FixedKeyProcessor<KIn, VIn, VOut>;
}

/** A supplier given as a plain factory function is accepted wherever a supplier is. */
export type ProcessorSupplierLike<KIn, VIn, KOut = never, VOut = never> =
  ProcessorSupplier<KIn, VIn, KOut, VOut> | (() => Processor<KIn, VIn, KOut, VOut>);
