/**
 * Receives every change of a logged store, synchronously, as it is written (or when the record cache flushes it).
 * The runtime hands the record to its producer without waiting; the offsets that the records get are passed back to
 * `TaskStateManager.commit`.
 *
 * `value` null is a tombstone (a delete). Key and value are never modified after the call, so the sink may keep them.
 */
export type ChangelogSink = (
  topic: string,
  partition: number,
  key: Buffer,
  value: Buffer | null,
  timestampMs: number,
) => void;

/** A changelog topic partition: `<applicationId>-<store>-changelog`, partition = the task's partition. */
export interface ChangelogPartition {
  readonly topic: string;
  readonly partition: number;
}
