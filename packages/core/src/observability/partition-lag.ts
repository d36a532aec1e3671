import type { MetricsSource } from './kaskade-metrics.js';

/** The processed position of a partition: what the task took, or the group's committed offset before that. */
export function positionOf(
  s: Pick<MetricsSource, 'statistics'>,
  topic: string,
  partition: number,
  committable: number,
): number {
  if (committable >= 0) return committable;
  const w = s.statistics.watermarks(topic, partition);
  if (!w) return -1;
  // Nothing processed yet: the group's committed offset, or without one the start of the log (reset to earliest).
  return w.committed >= 0 ? w.committed : w.low;
}

/** Calls `fn` for every input partition of the instance's tasks with its lag (undefined while unknown). */
export function forEachPartition(
  s: Pick<MetricsSource, 'instance' | 'statistics'>,
  fn: (topic: string, partition: number, lag: number | undefined, position: number, end: number) => void,
): void {
  for (const t of s.instance.tasks()) {
    for (const q of t.queues) {
      const w = s.statistics.watermarks(q.topic, q.partition);
      const pos = positionOf(s, q.topic, q.partition, q.committableOffset);
      // The end comes from the last statistics, the position is live: never report a negative lag.
      const lag = w && pos >= 0 ? Math.max(0, w.end - pos) : undefined;
      // Likewise the end shown is never behind what was processed.
      fn(q.topic, q.partition, lag, pos, w ? Math.max(w.end, pos) : -1);
    }
  }
}
