import type { StreamThread } from './stream-thread.js';
import { emptyTaskTotals } from './task-manager.js';

/** Counters of the running instance. */
export interface StreamsMetrics {
  readonly processed: number;
  readonly skippedRecords: number;
  readonly droppedRecords: number;
  readonly droppedByReason: { readonly [reason: string]: number };
  readonly deadLettered: number;
  readonly punctuations: number;
  readonly commits: number;
  /** Exactly-once: failed transactions that were aborted (or whose producer was replaced) and rewound. */
  readonly transactionRecoveries: number;
  readonly restoredRecords: number;
  readonly produced: number;
  readonly activeTasks: readonly string[];
  /** Tasks this instance keeps standbys of (`numStandbyReplicas`), sorted. */
  readonly standbyTasks: readonly string[];
  /** Changelog records the standbys applied. */
  readonly standbyRecords: number;
  /** `<changelog topic>-<partition>` of each standby → the last changelog offset its store reflects (-1: none). */
  readonly standbyOffsets: { readonly [partition: string]: number };
  /** Milliseconds fetching waited for the `maxRecordsPerSecond` budget (0 without a limit). */
  readonly throttledMs: number;
  /** Per topic of `maxRecordsPerSecondByTopic`: milliseconds its partitions were paused for its budget. */
  readonly throttledMsByTopic: { readonly [topic: string]: number };
}

/** The counters of an instance whose thread is `thread` (undefined before start: all zero). */
export function streamsMetrics(thread: StreamThread | undefined): StreamsMetrics {
  const t = thread?.tasks.totals() ?? emptyTaskTotals();
  return {
    processed: t.processed,
    skippedRecords: t.skippedRecords,
    droppedRecords: t.droppedRecords,
    droppedByReason: Object.fromEntries(t.droppedByReason),
    deadLettered: t.deadLettered,
    punctuations: t.punctuations,
    commits: thread?.committer.commits ?? 0,
    transactionRecoveries: thread?.committer.recoveries ?? 0,
    restoredRecords: thread?.tasks.restoredRecords ?? 0,
    produced: thread?.collector.sent ?? 0,
    activeTasks: thread?.tasks.ids() ?? [],
    standbyTasks: thread?.standbys?.ids() ?? [],
    standbyRecords: thread?.standbys?.applied ?? 0,
    standbyOffsets: thread?.standbys?.offsets() ?? {},
    throttledMs: thread?.rateLimiter?.throttledMs ?? 0,
    throttledMsByTopic: thread?.topicRateLimits?.throttledMsByTopic() ?? {},
  };
}
