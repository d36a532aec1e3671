/**
 * Counters of one task, summed by the runtime into the application's metrics. Plain fields: incremented on the hot
 * path without allocation.
 */
export class TaskMetrics {
  processed = 0;
  /** Records skipped by a deserialization or processing handler that said CONTINUE. */
  skippedRecords = 0;
  /** Records dropped by an operator (late beyond grace, null key in an aggregation, invalid timestamp). */
  droppedRecords = 0;
  /** Dead-letter records sent and committed (at-least-once: delivered); reset to the committed count on abort. */
  deadLettered = 0;
  deadLetteredAtCommit = 0;
  /** Records handed to sinks (output, repartition topics); changelog records are not counted. */
  produced = 0;
  punctuations = 0;
}
