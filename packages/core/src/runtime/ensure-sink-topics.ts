import { TopologyError } from '@kaskade/processor-api';
import type { StreamsConfig } from '../config/streams-config.js';
import { DescribeConfigsUnsupported, describeTopicConfigs } from '../kafka/describe-topic-configs.js';
import type { KafkaAdmin } from '../kafka/kafka-admin.js';
import { sameSinkTopicConfig } from '../topology/sink-topic-config.js';
import type { SinkTopicConfig } from '../topology/sink-topic-config.js';
import type { Topology } from '../topology/topology.js';

/**
 * Managed sink topics (`SinkOptions.topicConfig`, `Produced.withTopicConfig`): creates those that do not exist with
 * their partitions, replication factor and configs, and checks those that do — partition count, and each config the
 * topology names — failing with a TopologyError that lists every difference. Runs before the check for missing
 * topics, so a managed topic is never reported missing.
 */
export async function ensureManagedSinkTopics(
  topology: Topology,
  config: StreamsConfig,
  admin: KafkaAdmin,
  timeoutMs: number,
): Promise<void> {
  const internal = topology.internalTopics();
  const managed = new Map<string, { sink: string; config: SinkTopicConfig }>();
  for (const s of topology.subtopologies()) {
    for (const k of s.sinks) {
      const wanted = k.options.topicConfig;
      if (wanted === undefined || typeof k.topic !== 'string' || internal.has(k.topic)) continue;
      const other = managed.get(k.topic);
      if (other !== undefined && !sameSinkTopicConfig(other.config, wanted)) {
        throw new TopologyError(
          `sinks "${other.sink}" and "${k.name}" give topic "${k.topic}" different topicConfigs; give it one`,
          { context: { topic: k.topic, node: k.name } },
        );
      }
      managed.set(k.topic, { sink: k.name, config: wanted });
    }
  }
  if (managed.size === 0) return;
  const counts = await admin.partitionCounts([...managed.keys()]);
  const missing = [...managed].filter(([topic]) => counts.get(topic) === undefined);
  if (missing.length > 0) {
    await admin.createTopics(
      missing.map(([topic, { config: c }]) => ({
        topic,
        partitions: c.partitions,
        replicationFactor: c.replicationFactor ?? config.replicationFactor,
        config: { ...(c.configs ?? {}) },
      })),
    );
    config.logger.info(`created sink topic(s) ${missing.map(([t]) => t).join(', ')} as their topicConfig says`);
  }
  const problems: string[] = [];
  const differing: string[] = [];
  for (const [topic, { sink, config: c }] of managed) {
    const n = counts.get(topic);
    if (n === undefined) continue; // just created as asked
    const diffs: string[] = [];
    if (n !== c.partitions) diffs.push(`partitions: ${n}, the topicConfig says ${c.partitions}`);
    const names = Object.keys(c.configs ?? {});
    if (names.length > 0) {
      try {
        const actual = await describeTopicConfigs(config.bootstrapServers, config.adminConfig, topic, names, timeoutMs);
        for (const name of names) {
          const want = c.configs![name]!;
          const have = actual.get(name);
          if (have !== want) {
            diffs.push(
              `${name}: ${have === undefined ? 'unknown to the broker' : JSON.stringify(have)}, the topicConfig says ${JSON.stringify(want)}`,
            );
          }
        }
      } catch (e) {
        if (!(e instanceof DescribeConfigsUnsupported)) throw e;
        config.logger.warn(`not checking the configs of sink topic ${topic}: ${e.message}`);
      }
    }
    if (diffs.length > 0) {
      differing.push(topic);
      problems.push(`sink topic "${topic}" (sink "${sink}") differs from its topicConfig: ${diffs.join('; ')}`);
    }
  }
  if (problems.length > 0) {
    throw new TopologyError(`${problems.join('\n')}\nchange the topic or the topicConfig`, {
      context: { topic: differing[0], topics: differing },
    });
  }
}
