import { describe, expect, it } from 'vitest';
import { KafkaConsumerClient } from '../kafka-consumer-client.js';
import { KafkaProducerClient } from '../kafka-producer-client.js';
import { NativeConsumerClient } from './native-consumer-client.js';
import { NativeProducerClient } from './native-producer-client.js';

// No broker is reached: a transaction's offsets are refused before anything is sent when the consumer is of the other
// kind (each client's group metadata goes only to its own kind of producer — a producerFactory could mix them).
const offsets = [{ topic: 't', partition: 0, offset: 1 }];
const bootstrapServers = '127.0.0.1:1';

describe('transactional offsets and the kind of consumer', () => {
  it("should refuse the Kafka client's consumer in the native producer's transaction, naming why", async () => {
    const producer = new NativeProducerClient({ bootstrapServers, transactionalId: 'tx' });
    const consumer = new KafkaConsumerClient({ bootstrapServers, groupId: 'g' });
    await expect(producer.sendOffsetsToTransaction(offsets, consumer)).rejects.toThrow(
      /native producer's transactions take the native consumer's group metadata.*Kafka client/,
    );
    await producer.disconnect(0);
  });

  it("should refuse the native consumer in the Kafka client's transaction, naming why", async () => {
    const producer = new KafkaProducerClient({ bootstrapServers, transactionalId: 'tx' });
    const consumer = new NativeConsumerClient({ bootstrapServers, groupId: 'g' });
    await expect(producer.sendOffsetsToTransaction(offsets, consumer)).rejects.toThrow(
      /Kafka client's transactions take its own consumer's group metadata.*native consumer/,
    );
    await consumer.disconnect();
  });
});
