import type { TopicPartitionOffset } from '../kafka/kafka-types.js';

/**
 * The application's control topic, `<applicationId>-control`: one compacted partition that every instance reads from
 * the beginning, so that what it holds (paused or not, the last rewind) reaches every replica of the application,
 * including one started later. Kafka carries it; Kaskade has no coordinator of its own.
 */
export function controlTopicName(applicationId: string): string {
  return `${applicationId}-control`;
}

/** The record keys of the control topic. Compaction keeps the latest value of each. */
export const ControlKeys = { desiredState: 'desired-state', rewind: 'rewind' } as const;

/** Whether the application should be processing. */
export interface DesiredState {
  readonly paused: boolean;
  /** When it was set (epoch ms) and by whom, for `kaskade status`. */
  readonly at: number;
  readonly by: string;
}

/** Where a rewind moves each input partition. Durations are resolved to a timestamp when the command is issued. */
export type RewindTarget =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'timestamp'; readonly timestampMs: number }
  | { readonly kind: 'offsets'; readonly offsets: readonly TopicPartitionOffset[] };

/**
 * Reprocess the input from a point. Whichever instance owns a partition applies it once: it commits the new offset
 * with the command's id as commit metadata (in the transaction, under exactly-once) and carries that id on every later
 * commit of the partition, so a rebalance in the middle neither repeats it nor skips it.
 */
export interface RewindCommand {
  readonly id: string;
  readonly target: RewindTarget;
  /**
   * `keep`: reprocess on top of the current state (for idempotent or stateless steps). `rebuild` (wipe stores,
   * truncate changelogs) is not built yet and is refused when issued.
   */
  readonly state: 'keep';
  readonly at: number;
  readonly by: string;
}

/** The commit metadata that marks a partition as rewound by a command. */
export function rewindMetadata(id: string): string {
  return `kaskade-rewind:${id}`;
}
