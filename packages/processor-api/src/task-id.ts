/**
 * Identifies a task: one sub-topology working on one partition of its source topics. Printed `<subtopology>_<partition>`.
 *
 * @see org.apache.kafka.streams.processor.TaskId
 */
export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
}

/** `"<subtopology>_<partition>"`, the form used in directory names and logs. */
export function taskIdToString(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`;
}

/** Parses `"<subtopology>_<partition>"`. */
export function parseTaskId(text: string): TaskId {
  const m = /^(\d+)_(\d+)$/.exec(text);
  if (!m) throw new Error(`not a task id: "${text}" (expected <subtopology>_<partition>)`);
  return { subtopology: Number(m[1]), partition: Number(m[2]) };
}
