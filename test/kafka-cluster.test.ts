// A three-node KRaft cluster: the foundation of the fault tests (replication factor 3, leaders that die).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAdmin } from '@kaskade/core/internal';
import { startKafka } from '@kaskade/testing';
import type { KafkaCluster } from '@kaskade/testing';
import { uniqueName } from './broker-context.js';

describe('three-node cluster', () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    cluster = await startKafka({ brokers: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('holds a topic with replication factor 3 and keeps it available when a leader dies', async () => {
    const admin = KafkaAdmin.create(cluster.bootstrapServers);
    const topic = uniqueName('rf3');
    try {
      await admin.createTopics([
        { topic, partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': '2' } },
      ]);
      const partitions = await admin.describeTopic(topic);
      expect(partitions).toHaveLength(3);
      for (const p of partitions) {
        expect([...p.replicas].sort()).toEqual([1, 2, 3]);
        expect(p.isr).toHaveLength(3);
      }
      const victim = partitions[0]!.leader!;
      await cluster.stopNode(victim);
      // Leadership moves to a surviving replica: ask until the metadata says so.
      const deadline = Date.now() + 60_000;
      let moved = false;
      while (!moved && Date.now() < deadline) {
        // A fresh client each time: one that had the dead node as its controller keeps asking it until its metadata
        // refreshes, which is not what this test is about.
        const probe = KafkaAdmin.create(cluster.bootstrapServers, {}, 5_000);
        const now = await probe.describeTopic(topic).catch(() => undefined);
        probe.close();
        moved = now !== undefined && now[0]!.leader !== undefined && now[0]!.leader !== victim;
        if (!moved) await new Promise((r) => setTimeout(r, 500));
      }
      expect(moved).toBe(true);
      await cluster.startNode(victim);
    } finally {
      admin.close();
    }
  });
});
