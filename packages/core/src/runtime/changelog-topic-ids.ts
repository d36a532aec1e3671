import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptedStateError } from '@kaskade/processor-api';
import type { StoreChangelogPartition } from '@kaskade/state-store/internal';
import type { StreamTask } from './stream-task.js';

/** Beside the stores in the task directory: the id of each changelog topic the stores were built from. */
const FILE = 'changelog-topic-ids.json';

function recorded(task: StreamTask): { [topic: string]: string } {
  const dir = task.stateManager?.taskDir;
  if (dir === undefined) return {};
  try {
    return JSON.parse(readFileSync(join(dir, FILE), 'utf8')) as { [topic: string]: string };
  } catch {
    return {}; // none yet (a new task, or state from before topic ids were recorded)
  }
}

/**
 * Refuses a store built from a changelog topic that has since been deleted and created again under the same name
 * (an application reset without the state directory) even when the new topic has grown past the store's offset,
 * which offsets alone cannot tell (see `checkChangelogContinuity`): the topic's id differs from the one recorded.
 * Throws a {@link CorruptedStateError}, which wipes the task's state and restores it.
 */
export function checkChangelogTopicId(
  task: StreamTask,
  cp: StoreChangelogPartition,
  ids: ReadonlyMap<string, string>,
): void {
  if (cp.committedOffset === undefined) return;
  const was = recorded(task)[cp.topic];
  const now = ids.get(cp.topic);
  if (was === undefined || now === undefined || was === now) return;
  throw new CorruptedStateError(
    `store ${cp.storeName} was built from changelog ${cp.topic} with topic id ${was}, but the topic now has id ` +
      `${now}: it was deleted and created again (an application reset?); its local state is stale`,
    {
      context: {
        taskId: task.idString,
        store: cp.storeName,
        topic: cp.topic,
        partition: cp.partition,
        ...(task.stateManager?.taskDir !== undefined ? { path: task.stateManager.taskDir } : {}),
      },
    },
  );
}

/** Records the ids of the task's changelog topics (after restoring, so the next restore can compare). */
export function recordChangelogTopicIds(task: StreamTask, ids: ReadonlyMap<string, string>): void {
  const dir = task.stateManager?.taskDir;
  if (dir === undefined) return;
  const before = recorded(task);
  const now: { [topic: string]: string } = {};
  for (const cp of task.stateManager?.changelogPartitions() ?? []) {
    const id = ids.get(cp.topic);
    if (id !== undefined) now[cp.topic] = id;
  }
  if (Object.keys(now).length === 0 || JSON.stringify(now) === JSON.stringify(before)) return;
  writeFileSync(join(dir, FILE), JSON.stringify(now));
}
