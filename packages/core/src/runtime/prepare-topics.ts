import { StreamsError, TopologyError } from '@kaskade/processor-api';
import type { StreamsConfig } from '../config/streams-config.js';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import { ensureManagedSinkTopics } from './ensure-sink-topics.js';
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

/** How {@link prepareTopics} talks to the cluster. */
export interface PrepareTopicsOptions {
  /** Timeout of each admin request, in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /** librdkafka's log lines of the admin client (see `ClientDiagnostics`). */
  readonly onLog?: (severity: number, message: string) => void;
}

/**
 * Looks up the partition counts of the source and sink topics, creates the internal topics (repartition and
 * changelog) and checks that those which already existed have the partition counts the topology needs. Fails with a
 * clear error naming every missing topic when a source topic, a sink topic (topics chosen by a `TopicNameExtractor`
 * are known only at run time and not checked) or the dead-letter topic is missing, or when inputs that must be
 * co-partitioned are not. A missing output topic would otherwise fail only when the first record to it times out
 * (librdkafka waits `topic.metadata.propagation.max.ms`, 30 s) — or, under exactly-once, fail every transaction.
 */
export async function prepareTopics(
  topology: Topology,
  config: StreamsConfig,
  options: PrepareTopicsOptions = {},
): Promise<PreparedTopics> {
  const appId = config.applicationId;
  const internal = topology.internalTopics();
  const resolveTopic = (t: string) => (internal.has(t) ? internalTopicName(appId, t) : t);
  const subs = topology.subtopologies();
  const admin = KafkaAdmin.create(config.bootstrapServers, config.adminConfig, options.timeoutMs, options.onLog);
  let plan: TopicPlan;
  try {
    const sources = new Set<string>();
    const sinks = new Set<string>();
    for (const s of subs) for (const t of s.sourceTopics) if (!internal.has(t)) sources.add(t);
    for (const s of topology.globalSubtopologies()) for (const t of s.sourceTopics) sources.add(t);
    for (const s of subs) {
      for (const k of s.sinks) if (typeof k.topic === 'string' && !internal.has(k.topic)) sinks.add(k.topic);
    }
    const dlq = config.deadLetterQueueTopic;
    const named = [...new Set([...sources, ...sinks, ...(dlq ? [dlq] : [])])];
    await ensureManagedSinkTopics(topology, config, admin, options.timeoutMs ?? 30_000);
    let counts = await admin.partitionCounts(named);
    // A topic created a moment ago may not be in every broker's metadata yet (a cluster under load): look again for a
    // few seconds before calling it missing.
    for (let attempt = 0; attempt < 10 && named.some((t) => counts.get(t) === undefined); attempt++) {
      await new Promise((r) => setTimeout(r, 500));
      counts = await admin.partitionCounts(named);
    }
    const missing = (topics: Iterable<string>) => [...topics].filter((t) => counts.get(t) === undefined);
    const problems = [
      ...(missing(sources).length ? [`source topic(s) not found: ${missing(sources).join(', ')}`] : []),
      ...(missing(sinks).length ? [`sink topic(s) not found: ${missing(sinks).join(', ')}`] : []),
      ...(dlq && counts.get(dlq) === undefined ? [`dead-letter topic (deadLetterQueueTopic) not found: ${dlq}`] : []),
    ];
    if (problems.length > 0) {
      const all = [...missing(sources), ...missing(sinks), ...(dlq && counts.get(dlq) === undefined ? [dlq] : [])];
      throw new TopologyError(`${problems.join('; ')}; create them before starting`, {
        context: { topic: all[0], topics: all },
      });
    }
    plan = planTopics(topology, appId, counts, config.replicationFactor);
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
