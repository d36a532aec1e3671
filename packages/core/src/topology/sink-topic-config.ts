import { TopologyError } from '@kaskade/processor-api';

/**
 * The topic a sink writes, when the application manages it: created at start when it does not exist, checked when it
 * does (its partition count, and each config given here, must match, or start fails naming the difference).
 *
 * Kafka Streams never creates output topics; Kaskade does it on request, so that a pipeline that owns its output
 * needs no separate provisioning step — and a topic created by someone else with other settings is caught at start
 * instead of showing up as wrong partitioning or retention later.
 *
 * ```ts
 * stream.to('totals', Produced.with(S, L).withTopicConfig({ partitions: 6, configs: { 'cleanup.policy': 'compact' } }));
 * ```
 */
export interface SinkTopicConfig {
  /** Partition count: an integer >= 1. */
  readonly partitions: number;
  /** Replicas per partition when created; -1 or absent: the application's `replicationFactor` (broker default). */
  readonly replicationFactor?: number;
  /** Topic configs (`cleanup.policy`, `retention.ms`, ...) set on creation and required of an existing topic. */
  readonly configs?: { readonly [name: string]: string };
}

/** Checks a sink's topic config when the sink is added: a TopologyError naming the sink and the field. */
export function checkSinkTopicConfig(sink: string, topic: unknown, config: SinkTopicConfig): void {
  const fail = (what: string): never => {
    throw new TopologyError(`sink "${sink}": topicConfig ${what}`, { context: { node: sink } });
  };
  if (typeof topic !== 'string') fail('needs a fixed topic name (not a TopicNameExtractor)');
  if (config === null || typeof config !== 'object') fail(`must be an object, got ${String(config)}`);
  if (!Number.isSafeInteger(config.partitions) || config.partitions < 1) {
    fail(`partitions must be an integer >= 1, got ${String(config.partitions)}`);
  }
  const rf = config.replicationFactor;
  if (rf !== undefined && !(Number.isSafeInteger(rf) && (rf >= 1 || rf === -1))) {
    fail(`replicationFactor must be -1 or an integer >= 1, got ${String(rf)}`);
  }
  for (const [name, value] of Object.entries(config.configs ?? {})) {
    if (typeof value !== 'string') fail(`configs["${name}"] must be a string, got ${typeof value}`);
  }
}

/** True when two sinks' configs of the same topic ask for the same thing. */
export function sameSinkTopicConfig(a: SinkTopicConfig, b: SinkTopicConfig): boolean {
  const ca = Object.entries(a.configs ?? {}).sort();
  const cb = Object.entries(b.configs ?? {}).sort();
  return (
    a.partitions === b.partitions &&
    (a.replicationFactor ?? -1) === (b.replicationFactor ?? -1) &&
    JSON.stringify(ca) === JSON.stringify(cb)
  );
}
