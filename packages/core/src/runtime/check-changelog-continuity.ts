import { CorruptedStateError } from '@kaskade/processor-api';
import type { StoreChangelogPartition } from '@kaskade/state-store/internal';
import type { StreamTask } from './stream-task.js';

/**
 * Refuses to restore a store on top of a changelog that no longer continues its data — it was deleted and recreated
 * (an application reset), truncated, or lost records — because the store would then serve state that the changelog
 * does not back: its recorded offset is past the changelog's end, or below its start. Throws a
 * {@link CorruptedStateError} naming the reason, which wipes the task's state and restores it from the changelog as it
 * is (the instance's corrupted-state recovery), as Kafka Streams does for a checkpoint out of the log's range.
 *
 * A recreated changelog that has already grown past the store's offset cannot be told from the original by offsets
 * alone: `checkChangelogTopicId` tells it by the topic's id.
 */
export function checkChangelogContinuity(
  task: StreamTask,
  cp: StoreChangelogPartition,
  low: number,
  high: number,
): void {
  const stored = cp.committedOffset;
  if (stored === undefined) return;
  const where = `${cp.topic}-${cp.partition}`;
  let reason: string | undefined;
  if (stored >= high) {
    reason =
      `store ${cp.storeName} reflects changelog offset ${stored} but ${where} ends before it (next offset ${high}): ` +
      'the changelog was deleted and recreated (an application reset?) or truncated';
  } else if (stored + 1 < low) {
    reason =
      `store ${cp.storeName} reflects changelog offset ${stored} but ${where} now starts at ${low}: ` +
      `the records in between were deleted`;
  }
  if (reason === undefined) return;
  throw new CorruptedStateError(`${reason}; its local state is stale`, {
    context: {
      taskId: task.idString,
      store: cp.storeName,
      topic: cp.topic,
      partition: cp.partition,
      ...(task.stateManager?.taskDir !== undefined ? { path: task.stateManager.taskDir } : {}),
    },
  });
}
