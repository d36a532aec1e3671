import type { Cancellable, PunctuationType, Punctuator } from './punctuation.js';
import type { Record } from './record.js';
import type { RecordMetadata } from './record-metadata.js';
import type { StateStore } from './store/state-store.js';
import type { TaskId } from './task-id.js';

/**
 * What a processor can do besides returning: forward records, use stores, schedule punctuations, ask for a commit.
 *
 * @see org.apache.kafka.streams.processor.api.ProcessorContext
 */
export interface ProcessorContext<KForward = unknown, VForward = unknown> {
  /** The task this processor instance belongs to. */
  readonly taskId: TaskId;
  readonly applicationId: string;
  /**
   * Passes a record to all children, or to the named child only. The child runs before `forward` returns
   * (depth first, synchronously).
   */
  forward<K extends KForward, V extends VForward>(record: Record<K, V>, childName?: string): void;
  /** A store connected to this processor; throws a `TopologyError` for a store it was not connected to. */
  getStateStore<S extends StateStore>(name: string): S;
  /**
   * Calls `punctuator` every `intervalMs` of stream time or wall-clock time. Stream-time punctuation fires when
   * stream time advances past the next multiple of the interval (it cannot fire while no records arrive).
   */
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** Requests a commit as soon as the current record or punctuation is done. */
  commit(): void;
  /** Topic, partition and offset of the current input record; null in a punctuation. */
  recordMetadata(): RecordMetadata | null;
  /** The task's stream time: the largest timestamp processed so far (-1 before the first record). */
  currentStreamTimeMs(): number;
  /** The system clock as the runtime sees it (the test driver's mocked clock in tests). */
  currentSystemTimeMs(): number;
  /**
   * Counts a record this processor dropped on purpose (late beyond the grace period, null key in an aggregation,
   * ...), so that no record disappears without a trace: the count shows in the application's metrics per reason.
   */
  recordDropped(reason: string): void;
  /** The application's configuration as given. */
  appConfigs(): Readonly<{ [key: string]: unknown }>;
}

/**
 * Context of a `FixedKeyProcessor`: like `ProcessorContext`, but forwarded records keep the input key.
 */
export interface FixedKeyProcessorContext<KForward, VForward> extends Omit<
  ProcessorContext<KForward, VForward>,
  'forward'
> {
  forward<V extends VForward>(record: Record<KForward, V>, childName?: string): void;
}
