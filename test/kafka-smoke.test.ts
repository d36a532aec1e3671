// Proves the plumbing everything else rests on, against the real broker: topics with configs, produce/consume
// with headers through the callback API, a consumer group splitting partitions, and transactions.
import { describe, expect, it } from 'vitest';
import { KafkaAdmin, KafkaConsumerClient, KafkaProducerClient, fromWireHeaders } from '@kaskade/core/internal';
import type { ConsumedMessage, DeliveryReport, RebalanceEvent, WireHeaders } from '@kaskade/core/internal';
import { describeTopicConfig } from '@kaskade/testing';
import { bootstrapServers, uniqueName } from './broker-context.js';

async function consumeUntil(
  consumer: KafkaConsumerClient,
  done: (all: ConsumedMessage[]) => boolean,
  timeoutMs = 30_000,
): Promise<ConsumedMessage[]> {
  const all: ConsumedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(all)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms with ${all.length} messages`);
    all.push(...(await consumer.consumeBatch(1000)));
  }
  return all;
}

async function producer(options: { transactionalId?: string } = {}) {
  const reports: DeliveryReport[] = [];
  const p = new KafkaProducerClient({
    bootstrapServers: bootstrapServers(),
    onDelivery: (r) => reports.push(r),
    ...options,
  });
  await p.connect();
  return { p, reports };
}

describe('Kafka plumbing on the real broker', () => {
  it('creates topics with configs, including a compacted one', async () => {
    const admin = KafkaAdmin.create(bootstrapServers());
    const plain = uniqueName('smoke-plain');
    const compacted = uniqueName('smoke-compacted');
    try {
      await admin.createTopics([
        { topic: plain, partitions: 3, replicationFactor: 1 },
        { topic: compacted, partitions: 2, replicationFactor: 1, config: { 'cleanup.policy': 'compact' } },
      ]);
      // Creating again is not an error: the runtime creates internal topics at every start.
      await admin.createTopics([{ topic: plain, partitions: 3, replicationFactor: 1 }]);
      const counts = await admin.partitionCounts([plain, compacted, uniqueName('smoke-missing')]);
      expect([...counts.values()]).toEqual([3, 2, undefined]);
      expect((await describeTopicConfig(bootstrapServers(), compacted))['cleanup.policy']).toBe('compact');
      expect((await describeTopicConfig(bootstrapServers(), plain))['cleanup.policy']).toBe('delete');
    } finally {
      admin.close();
    }
  });

  it('produces and consumes keys, values, timestamps and headers through the callback API', async () => {
    const admin = KafkaAdmin.create(bootstrapServers());
    const topic = uniqueName('smoke-headers');
    await admin.createTopics([{ topic, partitions: 1, replicationFactor: 1 }]);
    admin.close();
    const { p, reports } = await producer();
    for (let i = 0; i < 100; i++) {
      const headers: WireHeaders = [{ 'trace-id': `t-${i}` }, { bin: Buffer.from([i, 255]) }];
      expect(p.produce(topic, 0, Buffer.from(`v${i}`), Buffer.from(`k${i}`), 1_700_000_000_000 + i, headers)).toBe(
        true,
      );
    }
    expect(p.produce(topic, 0, null, Buffer.from('tombstone'), 1_700_000_000_500)).toBe(true);
    await p.flush();
    await p.disconnect();
    expect(reports).toHaveLength(101);
    expect(reports.every((r) => r.error === undefined)).toBe(true);
    expect(reports.map((r) => r.offset)).toEqual([...Array(101).keys()]);

    const consumer = new KafkaConsumerClient({ bootstrapServers: bootstrapServers(), groupId: uniqueName('g') });
    await consumer.connect();
    consumer.subscribe([topic]);
    const got = await consumeUntil(consumer, (all) => all.length >= 101);
    await consumer.disconnect();
    expect(got).toHaveLength(101);
    got.slice(0, 100).forEach((m, i) => {
      expect(m.offset).toBe(i);
      expect(Buffer.from(m.key as Buffer).toString()).toBe(`k${i}`);
      expect(m.value?.toString()).toBe(`v${i}`);
      expect(m.timestamp).toBe(1_700_000_000_000 + i);
      const h = fromWireHeaders(m.headers);
      expect(h.lastString('trace-id')).toBe(`t-${i}`);
      expect([...(h.lastHeader('bin')?.value ?? [])]).toEqual([i, 255]);
    });
    expect(got[100]!.value).toBeNull();
  });

  it('splits a topic’s partitions between the two members of a consumer group', async () => {
    const admin = KafkaAdmin.create(bootstrapServers());
    const topic = uniqueName('smoke-group');
    await admin.createTopics([{ topic, partitions: 4, replicationFactor: 1 }]);
    admin.close();
    const { p } = await producer();
    for (let i = 0; i < 400; i++) p.produce(topic, i % 4, Buffer.from(String(i)), null, Date.now());
    await p.flush();
    await p.disconnect();

    const groupId = uniqueName('smoke-group-g');
    const assigned: Map<string, Set<number>> = new Map([
      ['a', new Set()],
      ['b', new Set()],
    ]);
    const members = (['a', 'b'] as const).map((name) => {
      const c: KafkaConsumerClient = new KafkaConsumerClient({
        bootstrapServers: bootstrapServers(),
        groupId,
        clientId: name,
        onRebalance: (e: RebalanceEvent) => {
          const set = assigned.get(name)!;
          if (e.kind === 'assign') e.partitions.forEach((tp) => set.add(tp.partition));
          else e.partitions.forEach((tp) => set.delete(tp.partition));
          if (e.kind === 'assign') c.assign(e.partitions, e.protocol);
          else c.unassign(e.partitions, e.protocol);
        },
      });
      return c;
    });
    await Promise.all(members.map((m) => m.connect()));
    members.forEach((m) => m.subscribe([topic]));
    const received = new Map<string, ConsumedMessage[]>([
      ['a', []],
      ['b', []],
    ]);
    const deadline = Date.now() + 60_000;
    // Both members poll until the group is stable with both in it and every record has arrived once.
    while (
      received.get('a')!.length + received.get('b')!.length < 400 ||
      assigned.get('a')!.size === 0 ||
      assigned.get('b')!.size === 0
    ) {
      if (Date.now() > deadline)
        throw new Error(`group did not settle: ${JSON.stringify([...assigned].map(([k, v]) => [k, [...v]]))}`);
      const [ma, mb] = await Promise.all(members.map((m) => m.consumeBatch(500)));
      received.get('a')!.push(...ma!);
      received.get('b')!.push(...mb!);
      // Commit so that a partition moving between members is not read twice from the start.
      for (const [i, batch] of [ma!, mb!].entries()) {
        const last = new Map<number, number>();
        batch.forEach((m) => last.set(m.partition, m.offset + 1));
        await members[i]!.commit([...last].map(([partition, offset]) => ({ topic, partition, offset })));
      }
    }
    const a = assigned.get('a')!;
    const b = assigned.get('b')!;
    expect(a.size + b.size).toBe(4);
    expect([...a].filter((x) => b.has(x))).toEqual([]);
    const distinct = new Set([...received.values()].flat().map((m) => `${m.partition}:${m.offset}`));
    expect(distinct.size).toBe(400);
    await Promise.all(members.map((m) => m.disconnect()));
  });

  it('makes a committed transaction visible to read_committed consumers and hides an aborted one', async () => {
    const admin = KafkaAdmin.create(bootstrapServers());
    const input = uniqueName('smoke-txn-in');
    const output = uniqueName('smoke-txn-out');
    await admin.createTopics([
      { topic: input, partitions: 1, replicationFactor: 1 },
      { topic: output, partitions: 1, replicationFactor: 1 },
    ]);
    const groupId = uniqueName('smoke-txn-g');
    const { p: plain } = await producer();
    for (let i = 0; i < 10; i++) plain.produce(input, 0, Buffer.from(`in-${i}`), null, Date.now());
    await plain.flush();
    await plain.disconnect();

    const consumer = new KafkaConsumerClient({ bootstrapServers: bootstrapServers(), groupId });
    await consumer.connect();
    consumer.subscribe([input]);
    const inputs = await consumeUntil(consumer, (all) => all.length >= 10);

    const { p: txn } = await producer({ transactionalId: uniqueName('smoke-txn-id') });
    await txn.initTransactions();
    // Transaction 1: committed, with the input offsets of the first five records.
    await txn.beginTransaction();
    for (const m of inputs.slice(0, 5)) txn.produce(output, 0, Buffer.from(`committed-${m.value}`), null, Date.now());
    await txn.sendOffsetsToTransaction([{ topic: input, partition: 0, offset: 5 }], consumer);
    await txn.commitTransaction();
    // Transaction 2: aborted, so neither its records nor its offsets count.
    await txn.beginTransaction();
    for (const m of inputs.slice(5)) txn.produce(output, 0, Buffer.from(`aborted-${m.value}`), null, Date.now());
    await txn.sendOffsetsToTransaction([{ topic: input, partition: 0, offset: 10 }], consumer);
    // Written to the log before the abort (librdkafka purges what it has not sent yet), so a read_uncommitted reader
    // does see them below.
    await txn.flush();
    await txn.abortTransaction();
    // Transaction 3: committed marker, so a read_committed reader has an end to reach.
    await txn.beginTransaction();
    txn.produce(output, 0, Buffer.from('end'), null, Date.now());
    await txn.commitTransaction();
    await txn.disconnect();
    await consumer.disconnect();

    const committedReader = new KafkaConsumerClient({
      bootstrapServers: bootstrapServers(),
      groupId: uniqueName('smoke-txn-rc'),
      isolationLevel: 'read_committed',
    });
    await committedReader.connect();
    committedReader.subscribe([output]);
    const seen = await consumeUntil(committedReader, (all) => all.some((m) => m.value?.toString() === 'end'));
    await committedReader.disconnect();
    expect(seen.map((m) => m.value?.toString())).toEqual([
      ...inputs.slice(0, 5).map((m) => `committed-${m.value}`),
      'end',
    ]);

    const uncommittedReader = new KafkaConsumerClient({
      bootstrapServers: bootstrapServers(),
      groupId: uniqueName('smoke-txn-ru'),
      isolationLevel: 'read_uncommitted',
    });
    await uncommittedReader.connect();
    uncommittedReader.subscribe([output]);
    const raw = await consumeUntil(uncommittedReader, (all) => all.some((m) => m.value?.toString() === 'end'));
    await uncommittedReader.disconnect();
    expect(raw.filter((m) => m.value?.toString().startsWith('aborted-'))).toHaveLength(5);

    const offsets = await admin.groupOffsets(groupId, [{ topic: input, partition: 0 }]);
    expect(offsets).toEqual([{ topic: input, partition: 0, offset: 5 }]);
    admin.close();
  });
});
