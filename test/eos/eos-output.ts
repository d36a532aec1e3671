// What the exactly-once verification expects from its input, and how it reads the output back (read_committed).
import { Serdes } from '@kaskade/core';
import { KafkaConsumerClient } from '@kaskade/core/internal';

export function expectations(inputByPartition: Map<number, { key: string; value: number }[]>) {
  const sequences = {
    sum: new Map<string, number[]>(),
    min: new Map<string, number[]>(),
    max: new Map<string, number[]>(),
    cnt: new Map<string, number[]>(),
  };
  const counts = new Map<string, number>();
  const state = new Map<string, { sum: number; min: number; max: number; count: number }>();
  // A key lives on one partition, so per-key order is that partition's order.
  for (const input of inputByPartition.values()) {
    for (const { key, value } of input) {
      const old = state.get(key);
      const agg = old
        ? { sum: old.sum + value, min: Math.min(old.min, value), max: Math.max(old.max, value), count: old.count + 1 }
        : { sum: value, min: value, max: value, count: 1 };
      state.set(key, agg);
      counts.set(key, agg.count);
      for (const [t, v] of [
        ['sum', agg.sum],
        ['min', agg.min],
        ['max', agg.max],
        ['cnt', agg.count],
      ] as const) {
        let list = sequences[t].get(key);
        if (!list) sequences[t].set(key, (list = []));
        list.push(v);
      }
    }
  }
  return { sequences, counts };
}

interface TopicContent {
  size: number;
  byPartition: Map<number, { key: string; value: number }[]>;
  byKey: Map<string, number[]>;
  last: Map<string, number>;
}

export async function readAll(
  servers: string,
  topics: string[],
  done: (got: Map<string, TopicContent>) => boolean,
  timeoutMs = 300_000,
): Promise<Map<string, TopicContent>> {
  const got = new Map<string, TopicContent>(
    topics.map((t) => [t, { size: 0, byPartition: new Map(), byKey: new Map(), last: new Map() }]),
  );
  const consumer = new KafkaConsumerClient({
    bootstrapServers: servers,
    groupId: `eos-verifier-${Date.now()}`,
    isolationLevel: 'read_committed',
  });
  await consumer.connect();
  consumer.subscribe(topics);
  const I = Serdes.Int64();
  const deadline = Date.now() + timeoutMs;
  let quietSince = 0;
  try {
    // Read until the expectation is met, then a little longer so that late duplicates would show.
    for (;;) {
      const batch = await consumer.consumeBatch(10_000);
      for (const m of batch) {
        const c = got.get(m.topic)!;
        const key = (m.key as Buffer).toString();
        const value = I.deserialize(m.topic, m.value!);
        c.size++;
        let p = c.byPartition.get(m.partition);
        if (!p) c.byPartition.set(m.partition, (p = []));
        p.push({ key, value });
        let k = c.byKey.get(key);
        if (!k) c.byKey.set(key, (k = []));
        k.push(value);
        c.last.set(key, value);
      }
      if (batch.length > 0) quietSince = Date.now();
      if (done(got) && Date.now() - quietSince > 3000) break;
      if (Date.now() > deadline) break;
    }
  } finally {
    await consumer.disconnect();
  }
  return got;
}
