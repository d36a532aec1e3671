import type { CorruptedStateError, ProductionError } from '@kaskade/processor-api';
import type { KafkaOperationError } from '../kafka/kafka-client-error.js';
import type { StreamTask } from './stream-task.js';

/**
 * Why the tasks go back to their last commit (see `CommitCoordinator.rewind`). Each cause says what happens to the
 * open transaction and to the tasks' state; none is an error made up to reuse another's path.
 */
export type RewindCause =
  /** Exactly-once: the transaction failed; it is aborted, or its producer replaced when fenced or fatal. */
  | { readonly kind: 'transaction-failed'; readonly error: KafkaOperationError }
  /** Exactly-once: partitions were lost; the open transaction also holds the work of the tasks kept, so it goes. */
  | { readonly kind: 'partitions-lost' }
  /**
   * Exactly-once, in a transaction: `task`'s state is corrupted. The transaction also holds the other tasks' work, so
   * it is aborted; `task` is rebuilt from its changelogs from the start, the others catch up from theirs.
   */
  | { readonly kind: 'state-corrupted'; readonly error: CorruptedStateError; readonly task: StreamTask }
  /**
   * The broker refused records for good or did not take them in time (see `KafkaRecordCollector`): the input is
   * processed again so that they are sent again or reach the production exception handler with their source records.
   */
  | { readonly kind: 'records-refused'; readonly error: ProductionError };

/** What a rewind for `cause` logs and counts as the failure (repeats of the same one escalate). */
export function rewindCauseError(cause: RewindCause): Error {
  return cause.kind === 'partitions-lost' ? new Error('partitions lost') : cause.error;
}
