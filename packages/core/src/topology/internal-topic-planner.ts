import { TopologyError } from '@kaskade/processor-api';
import { changelogTopicName } from '@kaskade/state-store/internal';
import type { NewTopicSpec } from '../kafka/kafka-types.js';
import type { Topology } from './topology.js';

const DAY_MS = 86_400_000;

/** Internal topic names derive from the application id, as in Kafka Streams. */
export function internalTopicName(applicationId: string, name: string): string {
  return `${applicationId}-${name}`;
}

/** What the runtime needs to know about the partitions of the application's topics. */
export interface TopicPlan {
  /** Partition count of every source, sink-internal and changelog topic (resolved names). */
  readonly partitionCounts: ReadonlyMap<string, number>;
  /** Number of tasks (= input partitions) per sub-topology id. */
  readonly tasksPerSubtopology: ReadonlyMap<number, number>;
  /** Internal topics to create: repartition and changelog topics. */
  readonly internalTopics: readonly NewTopicSpec[];
  /** Changelog topic names, to recognize their delivery reports. */
  readonly changelogTopics: ReadonlySet<string>;
}

/**
 * Decides partition counts and configs of internal topics from the partition counts of the user's source topics:
 * a repartition topic gets the task count of the sub-topology writing it, a changelog topic the task count of its
 * store's sub-topology. Refuses sub-topologies whose stateful inputs are not co-partitioned.
 */
export function planTopics(
  topology: Topology,
  applicationId: string,
  externalCounts: ReadonlyMap<string, number | undefined>,
  replicationFactor: number,
): TopicPlan {
  const subs = topology.subtopologies();
  const internal = topology.internalTopics();
  const resolve = (t: string) => (internal.has(t) ? internalTopicName(applicationId, t) : t);
  const counts = new Map<string, number>();
  for (const [t, n] of externalCounts) if (n !== undefined) counts.set(t, n);
  for (const def of internal.values()) if (def.partitions) counts.set(resolve(def.name), def.partitions);

  const missing = subs.flatMap((s) => s.sourceTopics).filter((t) => !internal.has(t) && !counts.has(t));
  if (missing.length) {
    throw new TopologyError(
      `source topic(s) not found: ${[...new Set(missing)].join(', ')}; create them before starting`,
      {
        context: { topic: missing[0] },
      },
    );
  }

  // An internal topic read together with user topics by a stateful sub-topology is co-partitioned with them, as
  // Kafka Streams' co-partitioning does: it takes their partition count (e.g. a foreign-key join's subscription
  // topic, read with the right table's topic).
  for (const sub of subs) {
    if (sub.storeNames.length === 0) continue;
    const external = sub.sourceTopics.filter((t) => !internal.has(t)).map((t) => counts.get(t)!);
    if (external.length === 0) continue;
    for (const t of sub.sourceTopics) {
      if (internal.has(t) && !counts.has(resolve(t))) counts.set(resolve(t), Math.max(...external));
    }
  }

  // Other repartition topics take the partition count of the sub-topology that writes them; iterate to a fixpoint
  // because one internal topic may feed the writer of another.
  const tasks = new Map<number, number>();
  for (let changed = true; changed;) {
    changed = false;
    for (const sub of subs) {
      const known = sub.sourceTopics.map((t) => counts.get(resolve(t))).filter((n): n is number => n !== undefined);
      if (known.length === sub.sourceTopics.length && !tasks.has(sub.id)) {
        tasks.set(sub.id, Math.max(...known));
        changed = true;
      }
      const n = tasks.get(sub.id);
      if (n === undefined) continue;
      for (const sink of sub.sinks) {
        if (typeof sink.topic === 'string' && internal.has(sink.topic) && !counts.has(resolve(sink.topic))) {
          counts.set(resolve(sink.topic), n);
          changed = true;
        }
      }
    }
  }
  for (const sub of subs) {
    if (!tasks.has(sub.id)) {
      throw new TopologyError(
        `cannot decide the partition count of sub-topology ${sub.id} (topics ${sub.sourceTopics.join(', ')})`,
      );
    }
    if (sub.storeNames.length > 0 && sub.sourceTopics.length > 1) {
      const byTopic = sub.sourceTopics.map((t) => [resolve(t), counts.get(resolve(t))!] as const);
      const first = byTopic[0]!;
      const other = byTopic.find(([, n]) => n !== first[1]);
      if (other) {
        throw new TopologyError(
          `topics ${first[0]} (${first[1]} partitions) and ${other[0]} (${other[1]} partitions) must be co-partitioned (same number of partitions) because sub-topology ${sub.id} joins or aggregates them together`,
          { context: { topic: other[0] } },
        );
      }
    }
  }

  const specs: NewTopicSpec[] = [];
  for (const def of internal.values()) {
    const topic = resolve(def.name);
    specs.push({
      topic,
      partitions: counts.get(topic) ?? 1,
      replicationFactor,
      // Repartition topics are consumed and then purged by the application; a week of retention bounds them.
      config: { 'cleanup.policy': 'delete', 'retention.ms': String(7 * DAY_MS), 'segment.bytes': String(52_428_800) },
    });
  }
  const changelogTopics = new Set<string>();
  for (const sub of subs) {
    for (const storeName of sub.storeNames) {
      const builder = topology.stores().get(storeName)!.builder as unknown as {
        loggingEnabled: boolean;
        logConfig: { [k: string]: string };
        changelogConfig?: () => { [k: string]: string };
        retentionMs?: number;
        storeType?: string;
      };
      if (!builder.loggingEnabled) continue;
      const topic = changelogTopicName(applicationId, storeName);
      changelogTopics.add(topic);
      const defaults: { [k: string]: string } = builder.changelogConfig
        ? builder.changelogConfig()
        : builder.storeType === 'window' || builder.storeType === 'session'
          ? { 'cleanup.policy': 'compact,delete', 'retention.ms': String((builder.retentionMs ?? 0) + DAY_MS) }
          : { 'cleanup.policy': 'compact' };
      const n = tasks.get(sub.id)!;
      counts.set(topic, n);
      specs.push({ topic, partitions: n, replicationFactor, config: { ...defaults, ...builder.logConfig } });
    }
  }
  return { partitionCounts: counts, tasksPerSubtopology: tasks, internalTopics: specs, changelogTopics };
}
