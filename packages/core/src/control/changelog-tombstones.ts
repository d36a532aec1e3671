import { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import { KafkaProducerClient } from '../kafka/kafka-producer-client.js';
import type { TopicPartitionOffset } from '../kafka/kafka-types.js';
import type { ApplicationControlOptions } from './application-control.js';
import { controlError } from './control-topic-io.js';

/**
 * Empties compacted changelog partitions, which Kafka does not let DeleteRecords truncate (a policy violation for
 * `cleanup.policy=compact`): every key found below `ends` gets a tombstone, so a store restored from the changelog
 * comes back empty — and compaction removes the old records later. Returns the number of tombstones written.
 */
export async function tombstoneChangelogs(
  options: ApplicationControlOptions,
  ends: readonly TopicPartitionOffset[],
): Promise<number> {
  const todo = ends.filter((e) => e.offset > 0);
  if (todo.length === 0) return 0;
  const keys = new Map<string, Map<string, Buffer>>();
  const id = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
  const consumer = new KafkaConsumerClient({
    bootstrapServers: options.bootstrapServers,
    groupId: `${options.applicationId}-rebuild-reader`,
    clientId: 'kaskade-rebuild-reader',
    pollTimeoutMs: 100,
    ...(options.clientConfig ? { config: options.clientConfig } : {}),
  });
  await consumer.connect();
  try {
    consumer.assignAt(todo.map((e) => ({ topic: e.topic, partition: e.partition, offset: -2 })));
    const deadline = Date.now() + 120_000;
    const pending = () => todo.filter((e) => (consumer.position(e.topic, e.partition) ?? -1) < e.offset);
    for (let left = pending(); left.length > 0; left = pending()) {
      if (Date.now() > deadline) {
        throw controlError(
          `could not read the changelogs to their end within 120 s: ${left.map((e) => `${e.topic}-${e.partition}`).join(', ')}`,
          'changelog-unreadable',
          options.applicationId,
        );
      }
      for (const m of await consumer.consumeBatch(10_000)) {
        if (m.key === null || m.key === undefined) continue;
        const k = id(m.topic, m.partition);
        let byKey = keys.get(k);
        if (!byKey) keys.set(k, (byKey = new Map()));
        const key = Buffer.from(m.key);
        byKey.set(key.toString('hex'), key);
      }
    }
  } finally {
    await consumer.disconnect();
  }
  let failed: Error | undefined;
  const producer = new KafkaProducerClient({
    bootstrapServers: options.bootstrapServers,
    clientId: 'kaskade-rebuild',
    ...(options.clientConfig ? { config: options.clientConfig } : {}),
    onDelivery: (r) => {
      if (r.error) failed ??= r.error;
    },
  });
  await producer.connect();
  let written = 0;
  try {
    for (const e of todo) {
      for (const key of keys.get(id(e.topic, e.partition))?.values() ?? []) {
        while (!producer.produce(e.topic, e.partition, null, key, Date.now())) await producer.flush();
        written++;
      }
    }
    await producer.flush();
  } finally {
    await producer.disconnect();
  }
  if (failed) {
    throw controlError(
      `could not write tombstones to the changelogs: ${failed.message}`,
      'unreachable',
      options.applicationId,
    );
  }
  return written;
}
