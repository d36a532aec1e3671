import { StreamsError } from '@kaskade/processor-api';
import type { StreamsConfig } from '../config/streams-config.js';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import { internalTopicName, planTopics } from '../topology/internal-topic-planner.js';
import type { TopicPlan } from '../topology/internal-topic-planner.js';
import type { OffsetResetPolicy } from '../topology/node-definitions.js';
import type { Topology } from '../topology/topology.js';

/** What an instance knows about its topics once they exist. */
export interface PreparedTopics {
  readonly plan: TopicPlan;
  /** Topic name as written in the topology → the real topic (internal topics get the application prefix). */
  readonly resolveTopic: (name: string) => string;
  /** Source topic (resolved) → the sub-topology reading it. */
  readonly topicToSubtopology: ReadonlyMap<string, number>;
  /** Source topic (resolved) → its own offset reset policy, when it has one. */
  readonly resetPolicies: ReadonlyMap<string, OffsetResetPolicy>;
}

/**
 * Looks up the partition counts of the source and sink topics, creates the internal topics (repartition and
 * changelog) and checks that those which already existed have the partition counts the topology needs. Fails with a
 * clear error when a source topic is missing or inputs that must be co-partitioned are not.
 */
export async function prepareTopics(topology: Topology, config: StreamsConfig): Promise<PreparedTopics> {
  const appId = config.applicationId;
  const internal = topology.internalTopics();
  const resolveTopic = (t: string) => (internal.has(t) ? internalTopicName(appId, t) : t);
  const subs = topology.subtopologies();
  const admin = KafkaAdmin.create(config.bootstrapServers, config.adminConfig);
  let plan: TopicPlan;
  try {
    const external = new Set<string>();
    for (const s of subs) for (const t of s.sourceTopics) if (!internal.has(t)) external.add(t);
    // Only sources must exist; sink topics are looked up for custom partitioners.
    for (const s of subs) {
      for (const k of s.sinks) if (typeof k.topic === 'string' && !internal.has(k.topic)) external.add(k.topic);
    }
    plan = planTopics(topology, appId, await admin.partitionCounts([...external]), config.replicationFactor);
    await admin.createTopics(plan.internalTopics);
    // A topic that existed before with another partition count would silently break co-partitioning.
    const actual = await admin.partitionCounts(plan.internalTopics.map((t) => t.topic));
    for (const spec of plan.internalTopics) {
      const n = actual.get(spec.topic);
      if (n !== undefined && n !== spec.partitions) {
        throw new StreamsError(
          `internal topic ${spec.topic} has ${n} partitions but the topology needs ${spec.partitions}; reset the application (delete its internal topics) to change partition counts`,
          { context: { topic: spec.topic } },
        );
      }
    }
  } finally {
    admin.close();
  }
  const topicToSubtopology = new Map<string, number>();
  const resetPolicies = new Map<string, OffsetResetPolicy>();
  for (const s of subs) {
    for (const src of s.sources) {
      for (const t of src.topics) {
        topicToSubtopology.set(resolveTopic(t), s.id);
        if (src.options.offsetReset) resetPolicies.set(resolveTopic(t), src.options.offsetReset);
      }
    }
  }
  return { plan, resolveTopic, topicToSubtopology, resetPolicies };
}
