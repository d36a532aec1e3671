import { describe, expect, it } from 'vitest';
import { ConfigError } from '@kaskade/processor-api';
import type { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import type { ConsumedMessage, TopicPartition } from '../kafka/kafka-types.js';
import { Topology } from '../topology/topology.js';
import { KafkaStreams } from './kafka-streams.js';
import { TopicRateLimits } from './topic-rate-limits.js';

/** The consumer calls the limits make: which partitions were paused and resumed. */
function consumer(assigned: TopicPartition[]) {
  const calls: string[] = [];
  const fake = {
    assignments: () => assigned,
    pause: (tps: readonly TopicPartition[]) =>
      calls.push(`pause ${tps.map((t) => `${t.topic}-${t.partition}`).join(',')}`),
    resume: (tps: readonly TopicPartition[]) =>
      calls.push(`resume ${tps.map((t) => `${t.topic}-${t.partition}`).join(',')}`),
  };
  return { calls, consumer: fake as unknown as KafkaConsumerClient };
}

const batch = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ topic, partition: i % 2, offset: i }) as ConsumedMessage);

describe('TopicRateLimits', () => {
  it('should pause only the spent topic until its debt is paid back, then resume it', () => {
    const { calls, consumer: c } = consumer([
      { topic: 'slow', partition: 0 },
      { topic: 'slow', partition: 1 },
      { topic: 'fast', partition: 0 },
    ]);
    const limits = new TopicRateLimits({ slow: 100 }, 0); // 50 tokens to start
    limits.afterBatch([...batch('slow', 40), ...batch('fast', 500)], c, 0);
    expect(calls).toEqual([]);
    limits.afterBatch(batch('slow', 60), c, 0); // 50 - 40 - 60 = -50 tokens: 500 ms of debt
    expect(calls).toEqual(['pause slow-0,slow-1']);
    limits.beforeBatch(c, 499, false);
    expect(calls).toHaveLength(1);
    limits.beforeBatch(c, 500, true); // paused by the user: stays paused
    expect(calls).toHaveLength(1);
    limits.beforeBatch(c, 500, false);
    expect(calls).toEqual(['pause slow-0,slow-1', 'resume slow-0,slow-1']);
    expect(limits.throttledMsByTopic(1000)).toEqual({ slow: 500 });
  });

  it('should not resume a partition another pause still holds, and say which topics it holds', () => {
    const { calls, consumer: c } = consumer([
      { topic: 'slow', partition: 0 },
      { topic: 'slow', partition: 1 },
    ]);
    const limits = new TopicRateLimits({ slow: 100 }, 0);
    expect(limits.holds('slow')).toBe(false);
    limits.afterBatch(batch('slow', 100), c, 0); // 50 - 100 = -50 tokens: 500 ms of debt
    expect(limits.holds('slow')).toBe(true);
    expect(limits.holds('other')).toBe(false);
    limits.beforeBatch(c, 500, false, (tp) => tp.partition === 1); // partition 1's task is saturated
    expect(calls).toEqual(['pause slow-0,slow-1', 'resume slow-0']);
    expect(limits.holds('slow')).toBe(false);
  });

  it('should refuse a limit on a topic the topology does not read, naming it', () => {
    const topology = new Topology().addSource('src', 'orders').addSink('sink', 'out', {}, 'src');
    expect(() => TopicRateLimits.check({ orders: 10 }, topology)).not.toThrow();
    expect(() => TopicRateLimits.check({ order: 10 }, topology)).toThrow(ConfigError);
    expect(() => TopicRateLimits.check({ order: 10 }, topology)).toThrow(
      /maxRecordsPerSecondByTopic\.order: "order" is not a source topic of the topology \(sources: orders\)/,
    );
  });

  it('should make KafkaStreams construction fail on a limit for a topic the topology does not read', () => {
    const topology = new Topology().addSource('src', 'orders').addSink('sink', 'out', {}, 'src');
    const config = { applicationId: 'rate-check', bootstrapServers: 'localhost:9092' };
    expect(() => new KafkaStreams(topology, { ...config, maxRecordsPerSecondByTopic: { order: 10 } })).toThrow(
      /maxRecordsPerSecondByTopic\.order: "order" is not a source topic/,
    );
    expect(new KafkaStreams(topology, { ...config, maxRecordsPerSecondByTopic: { orders: 10 } }).state).toBe('CREATED');
  });
});
