// The StreamsProducer against a real broker: under exactly-once, a record sent while no transaction is open (e.g. by
// a processor's init while tasks are revived after an abort) is held back by the collector and goes into the next
// transaction, instead of reaching librdkafka outside one (ERR__STATE).
import { describe, expect, it } from 'vitest';
import { Headers } from '@kaskade/processor-api';
import { DefaultProductionExceptionHandler, silentLogger } from '@kaskade/core';
import {
  KafkaConsumerClient,
  KafkaProducerClient,
  KafkaRecordCollector,
  StreamsProducer,
} from '@kaskade/core/internal';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, readTopic, str } from './kafka-helpers.js';

describe('StreamsProducer (exactly-once)', () => {
  it('should hold a record sent outside a transaction and commit it in the next one', async () => {
    const topic = uniqueName('sp-out');
    await createTopics({ topic, partitions: 1 });
    const producer = new StreamsProducer({
      exactlyOnce: true,
      logger: silentLogger,
      create: () =>
        new KafkaProducerClient({
          bootstrapServers: bootstrapServers(),
          transactionalId: uniqueName('sp-txn'),
          config: { 'delivery.report.only.error': true },
          // The collector is made below; the client only when connecting.
          onDelivery: (r) => collector.onDelivery(r),
        }),
    });
    const collector = new KafkaRecordCollector(
      producer,
      new DefaultProductionExceptionHandler(),
      new Map(),
      () => false,
      {
        errorReportsOnly: true,
      },
    );
    const consumer = new KafkaConsumerClient({ bootstrapServers: bootstrapServers(), groupId: uniqueName('sp-group') });
    await Promise.all([producer.connect(), consumer.connect()]);
    try {
      // No transaction yet: the producer refuses, the collector keeps the record in order.
      expect(producer.produce(topic, 0, Buffer.from('direct'), null, Date.now(), undefined)).toBe(false);
      collector.send(topic, 0, null, Buffer.from('held-1'), Date.now(), Headers.EMPTY);
      collector.send(topic, 0, null, Buffer.from('held-2'), Date.now(), Headers.EMPTY);
      expect(collector.backlogged).toBe(true);
      expect(producer.inTransaction).toBe(false);
      // Draining begins the transaction and hands the held records over.
      await collector.drain();
      expect(producer.inTransaction).toBe(true);
      expect(collector.backlogged).toBe(false);
      collector.send(topic, 0, null, Buffer.from('in-txn'), Date.now(), Headers.EMPTY);
      expect(collector.backlogged).toBe(false);
      await producer.commitTransaction([], consumer);
      expect(producer.inTransaction).toBe(false);
      collector.throwIfFailed();
    } finally {
      await Promise.all([producer.close(), consumer.disconnect()]);
    }
    const out = await readTopic(topic, (all) => all.length >= 3, { isolation: 'read_committed', timeoutMs: 30_000 });
    expect(out.map((m) => str(m.value))).toEqual(['held-1', 'held-2', 'in-txn']);
  });
});
