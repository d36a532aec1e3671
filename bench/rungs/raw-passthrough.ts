import { KafkaConsumerClient, KafkaProducerClient } from '@kaskade/core/internal';
import type { ConsumedMessage, DeliveryReport } from '@kaskade/core/internal';
import { POLL_TIMEOUT_MS, PRODUCER_CONFIG } from '../lib/client-settings.js';
import { Progress } from '../lib/progress.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';

/**
 * The ceiling for anything with a sink: consume a batch, hand each record to the producer without waiting, check
 * every delivery report as a correct application must, and stop once everything is consumed, delivered and reported.
 * Kaskade rungs are reported as a ratio to this one.
 */
export const rawPassthrough: Rung = {
  name: 'raw-passthrough',
  description: 'raw consumer -> producer: consume(n, cb), produce without awaiting, flush at the end',
  guarantee: 'none',
  writesOutput: true,
  async run(ctx: RungContext): Promise<RungResult> {
    const progress = new Progress(ctx.records, () => ctx.markStart());
    ctx.setProgressSource(() => progress.count);
    let deliveryError: Error | undefined;
    let reports = 0;
    let allReported: (() => void) | undefined;
    const consumer = new KafkaConsumerClient({
      bootstrapServers: ctx.bootstrapServers,
      groupId: ctx.groupId,
      pollTimeoutMs: POLL_TIMEOUT_MS,
    });
    const producer = new KafkaProducerClient({
      bootstrapServers: ctx.bootstrapServers,
      config: PRODUCER_CONFIG,
      onDelivery: (report: DeliveryReport) => {
        if (report.error) deliveryError ??= report.error;
        if (++reports >= progress.count && allReported) allReported();
      },
    });
    await Promise.all([consumer.connect(), producer.connect()]);
    try {
      consumer.subscribe([ctx.inputTopic]);
      const output = ctx.outputTopic;
      // Produces messages[from..]; when librdkafka's queue is full, waits for a flush and goes on where it stopped.
      const pump = (messages: readonly ConsumedMessage[], from: number): void => {
        for (let i = from; i < messages.length; i++) {
          const m = messages[i]!;
          if (!producer.produce(output, -1, m.value, (m.key as Buffer | null | undefined) ?? null, m.timestamp ?? 0)) {
            producer.flush().then(
              () => pump(messages, i),
              (e: unknown) => progress.fail(e as Error),
            );
            return;
          }
        }
        progress.add(messages.length);
        if (deliveryError) progress.fail(deliveryError);
        else if (progress.count < progress.target) consumer.consume(ctx.batchSize, onBatch);
      };
      const onBatch = (error: Error | null, messages: readonly ConsumedMessage[]): void => {
        if (error) progress.fail(error);
        else pump(messages, 0);
      };
      consumer.consume(ctx.batchSize, onBatch);
      await progress.done;
      ctx.markDrained();
      // As the runtime's commit does: flush, then wait until the JS callback of every delivery report has run (flush
      // resolves once librdkafka has them all, but their callbacks reach JS later), and fail on any delivery error.
      await producer.flush();
      if (reports < progress.count) await new Promise<void>((resolve) => (allReported = resolve));
      if (deliveryError) throw deliveryError;
    } finally {
      await Promise.all([consumer.disconnect(), producer.disconnect()]);
    }
    return { records: progress.count };
  },
};
