import type { TopicPartitionOffset } from '../kafka/kafka-types.js';

/**
 * The application's control topic, `<applicationId>-control`: one compacted partition that every instance reads from
 * the beginning, so that what it holds (paused or not, the last rewind) reaches every replica of the application,
 * including one started later. Kafka carries it; Kaskade has no coordinator of its own.
 */
export function controlTopicName(applicationId: string): string {
  return `${applicationId}-control`;
}

/**
 * The record keys of the control topic. Compaction keeps the latest value of each. Acknowledgements of a pause are
 * keyed `pause-ack:<consumer client id>`, one per instance (see {@link PauseAck}).
 */
export const ControlKeys = { desiredState: 'desired-state', rewind: 'rewind', pauseAckPrefix: 'pause-ack:' } as const;

/** Whether the application should be processing. */
export interface DesiredState {
  readonly paused: boolean;
  /** When it was set (epoch ms) and by whom, for `kaskade status`. */
  readonly at: number;
  readonly by: string;
  /** Set on the pause of a stateful rewind: a retried rewind resumes an application that only it had paused. */
  readonly rebuild?: true;
}

/** Where a rewind moves each input partition. Durations are resolved to a timestamp when the command is issued. */
export type RewindTarget =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'timestamp'; readonly timestampMs: number }
  | { readonly kind: 'offsets'; readonly offsets: readonly TopicPartitionOffset[] };

/**
 * An instance's answer to a pause: it has stopped processing and committed everything it processed (under
 * exactly-once: its transaction is committed), so its output, changelog and repartition records are all written. A
 * stateful rewind waits for one from every member of the group before it truncates anything.
 */
export interface PauseAck {
  /** The consumer's client id, as the group lists the member. */
  readonly clientId: string;
  /** The `at` of the desired state it acknowledges. */
  readonly pausedAt: number;
  /** When it had committed (epoch ms). */
  readonly at: number;
}

/**
 * Reprocess the input from a point. Whichever instance owns a partition applies it once: it commits the new offset
 * with the command's id as commit metadata (in the transaction, under exactly-once) and carries that id on every later
 * commit of the partition, so a rebalance in the middle neither repeats it nor skips it.
 */
export interface RewindCommand {
  readonly id: string;
  readonly target: RewindTarget;
  /**
   * `keep`: reprocess on top of the current state (for idempotent or stateless steps). `rebuild`: the changelogs and
   * repartition topics were truncated before the command was issued; each task wipes its stores and reads its
   * repartition partitions from `internalOffsets`, once (marked like the input partitions).
   */
  readonly state: 'keep' | 'rebuild';
  /** `rebuild`: where each repartition partition was truncated (its end when the application was paused). */
  readonly internalOffsets?: readonly TopicPartitionOffset[];
  readonly at: number;
  readonly by: string;
}

/** The commit metadata that marks a partition as rewound by a command. */
export function rewindMetadata(id: string): string {
  return `kaskade-rewind:${id}`;
}
