import type { GroupInfo } from '../kafka/kafka-admin.js';
import type { TopicPartition } from '../kafka/kafka-types.js';

/** A member of the application's group and the active tasks its assignment gives it. */
export interface PlacementMember {
  /** Sorts the members: the consumer's client id, then the member id. */
  readonly clientId: string;
  readonly memberId: string;
  readonly tasks: readonly string[];
}

/**
 * The members of a stable group with their active tasks (task id `<subtopology>_<partition>` of each assigned source
 * partition); undefined while the group is rebalancing, when assignments are not final.
 */
export function placementMembers(
  group: GroupInfo,
  topicToSubtopology: ReadonlyMap<string, number>,
): PlacementMember[] | undefined {
  if (group.state !== 'Stable') return undefined;
  return group.members.map((m) => ({
    clientId: m.clientId,
    memberId: m.memberId,
    tasks: tasksOf(m.partitions, topicToSubtopology),
  }));
}

/** The task ids that read the partitions (several partitions of one task give it once). */
export function tasksOf(
  partitions: readonly TopicPartition[],
  topicToSubtopology: ReadonlyMap<string, number>,
): string[] {
  const ids = new Set<string>();
  for (const p of partitions) {
    const sub = topicToSubtopology.get(p.topic);
    if (sub !== undefined) ids.add(`${sub}_${p.partition}`);
  }
  return [...ids];
}

/**
 * The tasks this member keeps standbys of. Deterministic from the group's assignment alone, so every member computes
 * the same placement without talking to the others: members sorted by client id (then member id); for a task owned
 * by the member at index i, its standbys go to the members at i+1 … i+`replicas` (wrapping around), so never to the
 * owner, and fewer when the group has fewer other members.
 *
 * `self` picks this member: by client id, and among several with the same client id (instances sharing an
 * `instanceId`), the one whose tasks are `ownTasks`. Undefined self: no standbys.
 */
export function standbyPlacement(
  members: readonly PlacementMember[],
  replicas: number,
  selfClientId: string,
  ownTasks: readonly string[],
): Set<string> {
  const sorted = [...members].sort((a, b) =>
    a.clientId === b.clientId ? compare(a.memberId, b.memberId) : compare(a.clientId, b.clientId),
  );
  const self = findSelf(sorted, selfClientId, ownTasks);
  const placed = new Set<string>();
  if (self < 0) return placed;
  const n = sorted.length;
  const copies = Math.min(replicas, n - 1);
  for (let owner = 0; owner < n; owner++) {
    if (owner === self) continue;
    // The distance from the owner to this member, going forwards around the sorted list.
    const distance = (self - owner + n) % n;
    if (distance >= 1 && distance <= copies) for (const t of sorted[owner]!.tasks) placed.add(t);
  }
  for (const t of sorted[self]!.tasks) placed.delete(t);
  return placed;
}

function findSelf(sorted: readonly PlacementMember[], clientId: string, ownTasks: readonly string[]): number {
  const candidates = sorted.flatMap((m, i) => (m.clientId === clientId ? [i] : []));
  if (candidates.length <= 1) return candidates[0] ?? -1;
  const own = [...ownTasks].sort().join(',');
  const match = candidates.filter((i) => [...sorted[i]!.tasks].sort().join(',') === own);
  // Ambiguous (two instances with the same id and the same tasks, e.g. none): keep no standbys rather than guess.
  return match.length === 1 ? match[0]! : -1;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
