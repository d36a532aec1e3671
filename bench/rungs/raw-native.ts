import { NativeConsumer, NativeProducerClient } from '@kaskade/core/internal';
import type { ColumnarBatch } from '@kaskade/core/internal';
import { POLL_TIMEOUT_MS, PRODUCER_CONFIG } from '../lib/client-settings.js';
import { Progress } from '../lib/progress.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';

/**
 * The raw rungs on Kaskade's native addon (issue #18), beside `raw-consume` and `raw-passthrough` on the Kafka client
 * in the same run: the same group consumption and the same per-record work, through columnar batches.
 */
function nativeConsumer(ctx: RungContext, onBatch: (batch: ColumnarBatch) => void, fail: (e: Error) => void) {
  return new NativeConsumer({
    config: {
      'bootstrap.servers': ctx.bootstrapServers,
      'group.id': ctx.groupId,
      'enable.auto.commit': false,
      'auto.offset.reset': 'earliest',
      'partition.assignment.strategy': 'range',
      // As every Kaskade group consumer (core's client-settings.ts): look at the fetch queue again after 10 ms, not 1 s.
      'fetch.queue.backoff.ms': 10,
    },
    topics: [ctx.inputTopic],
    maxBatch: ctx.batchSize,
    pollTimeoutMs: POLL_TIMEOUT_MS,
    onBatch: (error, batch) => {
      if (error) fail(error);
      else if (batch) onBatch(batch);
    },
  });
}

/** `raw-consume` on the native consumer: each record's value length read from its column. */
export const rawNativeConsume: Rung = {
  name: 'raw-native-consume',
  description: "raw-consume on Kaskade's native consumer: columnar batches from a poll thread",
  guarantee: 'none',
  writesOutput: false,
  async run(ctx: RungContext): Promise<RungResult> {
    const progress = new Progress(ctx.records, () => ctx.markStart());
    ctx.setProgressSource(() => progress.count);
    let bytes = 0;
    const consumer = nativeConsumer(
      ctx,
      (batch) => {
        const lengths = batch.valueLength;
        for (let i = 0; i < batch.count; i++) bytes += lengths[i]!;
        progress.add(batch.count);
      },
      (e) => progress.fail(e),
    );
    try {
      await progress.done;
      ctx.markDrained();
    } finally {
      await consumer.close();
    }
    if (bytes === 0) throw new Error('consumed records without bytes');
    return { records: progress.count };
  },
};

/**
 * `raw-passthrough` on the native consumer and the runtime's native producer: each record's key and value taken as
 * Buffer views and produced one by one (as the runtime's sink does), every delivery accounted for.
 */
export const rawNativePassthrough: Rung = {
  name: 'raw-native-passthrough',
  description: "raw-passthrough on Kaskade's native consumer and producer (per-record produce into columns)",
  guarantee: 'none',
  writesOutput: true,
  async run(ctx: RungContext): Promise<RungResult> {
    const progress = new Progress(ctx.records, () => ctx.markStart());
    ctx.setProgressSource(() => progress.count);
    let deliveryError: Error | undefined;
    let delivered = 0;
    const producer = new NativeProducerClient({
      bootstrapServers: ctx.bootstrapServers,
      config: PRODUCER_CONFIG,
      onDelivery: (report) => (deliveryError ??= report.error),
      onDelivered: (_topic, _partition, count) => (delivered += count),
    });
    const output = ctx.outputTopic;
    // Batches that arrive while the producer's queue is full wait here, in order.
    const waiting: ColumnarBatch[] = [];
    let pumping = false;
    const pump = async (): Promise<void> => {
      pumping = true;
      try {
        while (waiting.length > 0) {
          const batch = waiting[0]!;
          for (let i = 0; i < batch.count; i++) {
            while (!producer.produce(output, -1, batch.value(i), batch.key(i), batch.timestamps[i]!)) {
              await producer.flush();
            }
          }
          waiting.shift();
          progress.add(batch.count);
        }
      } catch (e) {
        progress.fail(e as Error);
      } finally {
        pumping = false;
      }
    };
    const consumer = nativeConsumer(
      ctx,
      (batch) => {
        waiting.push(batch);
        if (!pumping) void pump();
      },
      (e) => progress.fail(e),
    );
    try {
      await progress.done;
      ctx.markDrained();
      await producer.flush();
      if (deliveryError) throw deliveryError;
      if (delivered !== progress.count) throw new Error(`${delivered} of ${progress.count} records delivered`);
    } finally {
      await Promise.all([consumer.close(), producer.disconnect()]);
    }
    return { records: progress.count };
  },
};
