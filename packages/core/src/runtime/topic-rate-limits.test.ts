import { describe, expect, it } from 'vitest';
import { ConfigError } from '@kaskade/processor-api';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import type { ConsumedMessage, TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import { Topology } from '../topology/topology.js';
import { KafkaStreams } from './kafka-streams.js';
import { TopicRateLimits } from './topic-rate-limits.js';

/** The consumer calls the limits make: which partitions were paused, sought and resumed. */
function consumer(assigned: TopicPartition[]) {
  const calls: string[] = [];
  const fake = {
    assignments: () => assigned,
    pause: (tps: readonly TopicPartition[]) =>
      calls.push(`pause ${tps.map((t) => `${t.topic}-${t.partition}`).join(',')}`),
    resume: (tps: readonly TopicPartition[]) =>
      calls.push(`resume ${tps.map((t) => `${t.topic}-${t.partition}`).join(',')}`),
    seek: (p: TopicPartitionOffset) => {
      calls.push(`seek ${p.topic}-${p.partition}@${p.offset}`);
      return Promise.resolve();
    },
  };
  return { calls, consumer: fake as unknown as ConsumerClient };
}

/** `n` records of one partition, from `from` on. */
const records = (topic: string, partition: number, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ topic, partition, offset: from + i }) as ConsumedMessage);
const offsets = (ms: readonly ConsumedMessage[]) => ms.map((m) => `${m.topic}-${m.partition}@${m.offset}`);
const settle = () => new Promise((r) => setImmediate(r));
const slow2 = [
  { topic: 'slow', partition: 0 },
  { topic: 'slow', partition: 1 },
  { topic: 'fast', partition: 0 },
];

describe('TopicRateLimits', () => {
  it("should take each partition's share of the budget, and hold back the rest: paused, sought back to the first record not taken, resumed once half its share is back", async () => {
    const { calls, consumer: c } = consumer(slow2);
    const limits = new TopicRateLimits({ slow: 100 }); // 50 tokens: 25 per partition
    limits.beforeBatch(c, 0, false);
    const batch = [...records('slow', 0, 40), ...records('fast', 0, 500)];
    const admitted = limits.admit(batch, c, 0);
    expect(admitted).toHaveLength(525);
    expect(offsets(admitted.slice(0, 25))).toEqual(offsets(records('slow', 0, 25)));
    expect(admitted.slice(25)).toEqual(records('fast', 0, 500));
    expect(calls).toEqual(['pause slow-0', 'seek slow-0@25']);
    expect(limits.holds({ topic: 'slow', partition: 0 })).toBe(true);
    expect(limits.holds({ topic: 'slow', partition: 1 })).toBe(false);
    await settle();
    // Half of a 25-token share at 50 records/s per partition: 250 ms.
    limits.beforeBatch(c, 249, false);
    expect(calls).toHaveLength(2);
    limits.beforeBatch(c, 250, true); // paused by the user: stays held
    expect(calls).toHaveLength(2);
    limits.beforeBatch(c, 250, false);
    expect(calls).toEqual(['pause slow-0', 'seek slow-0@25', 'resume slow-0']);
    expect(limits.holds({ topic: 'slow', partition: 0 })).toBe(false);
    expect(limits.throttledMsByTopic(1000)).toEqual({ slow: 250 });
    // Partition 1 still has its own share: the first partition fetched cannot starve it.
    expect(limits.admit(records('slow', 1, 25), c, 250)).toHaveLength(25);
  });

  it("should let a busy partition use what an idle partition's share does not, so the topic keeps its whole rate", () => {
    const { calls, consumer: c } = consumer(slow2);
    const limits = new TopicRateLimits({ slow: 100 });
    limits.beforeBatch(c, 0, false);
    expect(limits.admit(records('slow', 0, 25), c, 0)).toHaveLength(25);
    // A second later: partition 0 refilled to its share (25, the rest to spare), idle partition 1 overflowed (spare
    // is capped at the topic's 50).
    limits.beforeBatch(c, 1000, false);
    const admitted = limits.admit(records('slow', 0, 100, 25), c, 1000);
    expect(admitted).toHaveLength(75);
    expect(calls).toEqual(['pause slow-0', 'seek slow-0@100']);
  });

  it('should not resume a partition another pause still holds, nor one whose seek is not done', async () => {
    const { calls, consumer: c } = consumer(slow2);
    let seekDone: () => void = () => {};
    (c as unknown as { seek: () => Promise<void> }).seek = () => {
      calls.push('seek');
      return new Promise<void>((r) => (seekDone = r));
    };
    const limits = new TopicRateLimits({ slow: 100 });
    limits.beforeBatch(c, 0, false);
    limits.admit([...records('slow', 0, 30), ...records('slow', 1, 30)], c, 0);
    expect(calls).toEqual(['pause slow-0', 'seek', 'pause slow-1', 'seek']);
    limits.beforeBatch(c, 1000, false);
    expect(calls).toHaveLength(4);
    seekDone(); // the last one: partition 1's
    await settle();
    limits.beforeBatch(c, 1000, false, (tp) => tp.partition === 1); // partition 1's task is saturated
    expect(calls).toHaveLength(4);
  });

  it('should hold a held partition again from a record fetched after its seek (a rewind, a resume from elsewhere)', async () => {
    const { calls, consumer: c } = consumer(slow2);
    const limits = new TopicRateLimits({ slow: 100 });
    limits.beforeBatch(c, 0, false);
    limits.admit(records('slow', 0, 30), c, 0);
    await settle();
    expect(limits.admit(records('slow', 0, 5, 7), c, 10)).toEqual([]);
    expect(calls).toEqual(['pause slow-0', 'seek slow-0@25', 'pause slow-0', 'seek slow-0@7']);
  });

  it("should resume a slow topic's held partition only once a whole record's worth is back", async () => {
    const { calls, consumer: c } = consumer([
      { topic: 'slow', partition: 0 },
      { topic: 'slow', partition: 1 },
    ]);
    const limits = new TopicRateLimits({ slow: 2 }); // 1 token, shares of 1 record, 1 record/s per partition
    limits.beforeBatch(c, 0, false);
    expect(limits.admit(records('slow', 0, 1), c, 0)).toHaveLength(1);
    limits.beforeBatch(c, 700, false); // 0.7 of a record back
    expect(limits.admit(records('slow', 0, 1, 1), c, 700)).toHaveLength(0);
    expect(calls).toEqual(['pause slow-0', 'seek slow-0@1']);
    await settle();
    limits.beforeBatch(c, 999, false);
    expect(calls).toHaveLength(2);
    limits.beforeBatch(c, 1000, false);
    expect(calls).toEqual(['pause slow-0', 'seek slow-0@1', 'resume slow-0']);
    expect(limits.admit(records('slow', 0, 1, 1), c, 1000)).toHaveLength(1);
  });

  it('should forget held partitions given up, and resume them should they be assigned again', () => {
    const { calls, consumer: c } = consumer(slow2);
    const limits = new TopicRateLimits({ slow: 100 });
    limits.beforeBatch(c, 0, false);
    limits.admit(records('slow', 1, 30), c, 0);
    limits.forget([{ topic: 'slow', partition: 1 }]);
    expect(limits.holds({ topic: 'slow', partition: 1 })).toBe(false);
    limits.assigned([{ topic: 'slow', partition: 1 }], c, false);
    expect(calls).toEqual(['pause slow-1', 'seek slow-1@25', 'resume slow-1']);
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
