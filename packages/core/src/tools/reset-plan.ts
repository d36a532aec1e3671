import type { TopicPartition } from '../kafka/kafka-types.js';

/** One partition of the plan: its committed offset now and after the reset. */
export interface PartitionReset extends TopicPartition {
  /** The group's committed offset now (undefined: none). */
  readonly committed: number | undefined;
  /** The committed offset after the reset. */
  readonly target: number;
  /** Why it moves: an input topic, or an internal repartition topic that is kept and skipped to its end. */
  readonly role: 'input' | 'internal';
}

/** What {@link resetApplication} does (or, on a dry run, would do). */
export interface ResetPlan {
  readonly applicationId: string;
  readonly dryRun: boolean;
  readonly offsets: readonly PartitionReset[];
  /** Internal topics (changelogs, repartition topics) to delete; the application recreates them at start. */
  readonly topicsToDelete: readonly string[];
  /** The application's local state directory to delete (`<stateDir>/<applicationId>`), when a state dir was given. */
  readonly stateDirToDelete: string | undefined;
}

/** The plan as the CLI prints it: one line per partition and per topic to delete. */
export function formatResetPlan(plan: ResetPlan): string {
  const lines = [
    `${plan.dryRun ? 'Dry run: would reset' : 'Reset'} application '${plan.applicationId}':`,
    plan.offsets.length === 0 ? '  no committed offsets to move' : '  committed offsets (topic-partition: now -> new):',
  ];
  for (const o of plan.offsets) {
    const now = o.committed === undefined ? 'none' : String(o.committed);
    const note = o.role === 'internal' ? ' (internal topic kept: skip to its end)' : '';
    lines.push(`    ${o.topic}-${o.partition}: ${now} -> ${o.target}${note}`);
  }
  lines.push(
    plan.topicsToDelete.length === 0
      ? '  internal topics to delete: none'
      : `  internal topics to delete: ${plan.topicsToDelete.join(', ')}`,
  );
  if (plan.stateDirToDelete !== undefined) lines.push(`  local state to delete: ${plan.stateDirToDelete}`);
  return lines.join('\n');
}
