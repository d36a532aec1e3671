import type { StreamsConfig } from '../config/streams-config.js';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import type { TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import { retryKafka } from '../kafka/retry-kafka.js';
import type { OffsetResetPolicy } from '../topology/node-definitions.js';

/**
 * Explicit start offsets for assigned partitions whose source has its own reset policy (latest, or a timestamp) and
 * no committed offset; partitions with the default policy (earliest) or a committed offset are left out.
 */
export async function startOffsets(
  partitions: readonly TopicPartition[],
  resetPolicy: ReadonlyMap<string, OffsetResetPolicy>,
  consumer: ConsumerClient,
  config: StreamsConfig,
): Promise<TopicPartitionOffset[]> {
  const special = partitions.filter((p) => {
    const policy = resetPolicy.get(p.topic);
    return policy !== undefined && policy !== 'earliest';
  });
  if (special.length === 0) return [];
  const committed = await retryKafka('committed', () => consumer.committed(special), { logger: config.logger });
  const without = committed.filter((c) => c.offset < 0).map((c) => ({ topic: c.topic, partition: c.partition }));
  if (without.length === 0) return [];
  const admin = KafkaAdmin.create(config.bootstrapServers, config.adminConfig);
  try {
    const out: TopicPartitionOffset[] = [];
    for (const p of without) {
      const policy = resetPolicy.get(p.topic)!;
      const [o] = await admin.listOffsets([p], policy === 'latest' ? 'latest' : (policy as { timestampMs: number }));
      // No record at or after the timestamp: start at the end.
      const offset = o!.offset >= 0 ? o!.offset : (await admin.listOffsets([p], 'latest'))[0]!.offset;
      out.push({ ...p, offset });
    }
    return out;
  } finally {
    admin.close();
  }
}
