import type { TopicPartition } from '../kafka/kafka-types.js';

/**
 * The tasks whose input partitions the consumer owns only in part: partition p of one source topic of a sub-topology
 * without partition p of another. A task reads all its co-partitioned inputs together, so this must never happen;
 * the range assignors of both group protocols guarantee it, and the rebalance listener checks it after every
 * assignment. Task ids as `<sub-topology>_<partition>`.
 */
export function splitTasks(
  owned: readonly TopicPartition[],
  topicToSubtopology: ReadonlyMap<string, number>,
): string[] {
  const topicsOf = new Map<number, string[]>();
  for (const [topic, sub] of topicToSubtopology) {
    const topics = topicsOf.get(sub);
    if (topics) topics.push(topic);
    else topicsOf.set(sub, [topic]);
  }
  const have = new Set(owned.map((p) => `${p.topic}:${p.partition}`));
  const split = new Set<string>();
  for (const p of owned) {
    const sub = topicToSubtopology.get(p.topic);
    if (sub === undefined) continue;
    if (topicsOf.get(sub)!.some((t) => !have.has(`${t}:${p.partition}`))) split.add(`${sub}_${p.partition}`);
  }
  return [...split].sort();
}
