import type { StreamsState } from '../streams-state.js';

/**
 * One stream thread of this instance, as `KafkaStreams.metadataForLocalThreads()` reports it.
 *
 * @see org.apache.kafka.streams.ThreadMetadata
 */
export interface ThreadMetadata {
  /** `<applicationId>-<instanceId>-StreamThread-<n>`, n from 1. */
  readonly threadName: string;
  /** The thread's lifecycle state (with several threads, each thread's own). */
  readonly threadState: StreamsState;
  /** Ids of the active tasks the thread runs, sorted. */
  readonly activeTasks: readonly string[];
  /** Ids of the tasks it keeps standbys of, sorted. */
  readonly standbyTasks: readonly string[];
}

export function threadName(applicationId: string, instanceId: string, thread: number): string {
  return `${applicationId}-${instanceId}-StreamThread-${thread}`;
}
