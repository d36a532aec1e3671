import { KafkaAdmin } from '../kafka/kafka-admin.js';
import type { ClientConfig, TopicPartition } from '../kafka/kafka-types.js';
import { readApplicationControl } from '../control/application-control.js';
import type { DesiredState, RewindCommand } from '../control/control-commands.js';
import { isInternalTopic } from './internal-topics.js';

/** Options of {@link describeApplication}. */
export interface DescribeApplicationOptions {
  readonly applicationId: string;
  readonly bootstrapServers: string;
  readonly clientConfig?: ClientConfig;
  readonly timeoutMs?: number;
}

/** One input partition of an application as the cluster sees it. */
export interface PartitionStatus extends TopicPartition {
  /** The group's committed offset (next to read), undefined when none. */
  readonly committed: number | undefined;
  /** The partition's end offset. */
  readonly end: number;
  /** Records not yet committed: end − committed (end − earliest when nothing is committed). */
  readonly lag: number;
  /** The client id of the member it is assigned to, if any. */
  readonly owner: string | undefined;
}

/** What `kaskade status` prints: the group's members and its partitions' offsets and lag. */
export interface ApplicationStatus {
  readonly applicationId: string;
  /** The group's state as the coordinator reports it (`Stable`, `Empty`, `PreparingRebalance`, `Dead`, ...). */
  readonly groupState: string;
  readonly members: readonly {
    readonly clientId: string;
    readonly host: string;
    readonly memberId: string;
    readonly partitions: readonly TopicPartition[];
  }[];
  readonly partitions: readonly PartitionStatus[];
  /** The sum of every partition's lag. */
  readonly totalLag: number;
  /** The application-wide desired state from the control topic (undefined: never paused or resumed). */
  readonly desiredState: DesiredState | undefined;
  /** The last rewind command (undefined: none). */
  readonly rewind: RewindCommand | undefined;
}

/**
 * Describes a running (or stopped) application from the cluster alone: its group's members with their assigned
 * partitions, and per partition the committed offset, end offset and lag. The partitions are those assigned to a
 * member or committed by the group, repartition topics included; changelogs are not consumed by the group.
 */
export async function describeApplication(options: DescribeApplicationOptions): Promise<ApplicationStatus> {
  const admin = KafkaAdmin.create(options.bootstrapServers, options.clientConfig ?? {}, options.timeoutMs ?? 30_000);
  try {
    const group = await admin.describeGroup(options.applicationId);
    const topics = (await admin.listTopics()).filter(
      (t) =>
        !t.startsWith('__') &&
        !(isInternalTopic(options.applicationId, t) && t.endsWith('-changelog')) &&
        !t.startsWith(`${options.applicationId}-control`),
    );
    const counts = await admin.partitionCounts(topics);
    const all = topics.flatMap((topic) =>
      Array.from({ length: counts.get(topic) ?? 0 }, (_, partition) => ({ topic, partition })),
    );
    const key = (p: TopicPartition): string => `${p.topic}\u0000${p.partition}`;
    const owners = new Map<string, string>();
    for (const m of group.members) for (const p of m.partitions) owners.set(key(p), m.clientId);
    const committed = all.length === 0 ? [] : await admin.groupOffsets(options.applicationId, all);
    const used = all.filter((p) => owners.has(key(p)) || committed.some((c) => c.offset >= 0 && key(c) === key(p)));
    const [ends, starts] = await Promise.all([admin.listOffsets(used, 'latest'), admin.listOffsets(used, 'earliest')]);
    const partitions = used.map((p): PartitionStatus => {
      const c = committed.find((x) => key(x) === key(p))?.offset;
      const end = ends.find((x) => key(x) === key(p))?.offset ?? 0;
      const start = starts.find((x) => key(x) === key(p))?.offset ?? 0;
      const done = c === undefined || c < 0 ? undefined : c;
      return { ...p, committed: done, end, lag: Math.max(0, end - (done ?? start)), owner: owners.get(key(p)) };
    });
    const control = await readApplicationControl(options);
    return {
      applicationId: options.applicationId,
      groupState: group.state,
      desiredState: control.desiredState,
      rewind: control.rewind,
      members: group.members.map((m) => ({
        clientId: m.clientId,
        host: m.host,
        memberId: m.memberId,
        partitions: m.partitions,
      })),
      partitions,
      totalLag: partitions.reduce((sum, p) => sum + p.lag, 0),
    };
  } finally {
    admin.close();
  }
}

/** The status as `kaskade status` prints it. */
export function formatApplicationStatus(status: ApplicationStatus): string {
  const lines = [
    `application '${status.applicationId}': group ${status.groupState}, ${status.members.length} member(s)`,
  ];
  for (const m of status.members) {
    const parts = m.partitions.map((p) => `${p.topic}-${p.partition}`).join(', ') || 'no partitions';
    lines.push(`  member ${m.clientId}@${m.host}: ${parts}`);
  }
  lines.push(`  partitions (committed / end, lag), total lag ${status.totalLag}:`);
  for (const p of status.partitions) {
    const owner = p.owner === undefined ? 'unassigned' : p.owner;
    lines.push(`    ${p.topic}-${p.partition}: ${p.committed ?? 'none'} / ${p.end}, lag ${p.lag} (${owner})`);
  }
  return lines.join('\n');
}
