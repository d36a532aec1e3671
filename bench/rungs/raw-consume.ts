import { KafkaConsumerClient } from '@kaskade/core/internal';
import type { ConsumedMessage } from '@kaskade/core/internal';
import { POLL_TIMEOUT_MS } from '../lib/client-settings.js';
import { Progress } from '../lib/progress.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';

/** The floor under everything: the consumer adapter's batch API, no work per record beyond reading its size. */
export const rawConsume: Rung = {
  name: 'raw-consume',
  description: 'raw consumer: consume(n, cb) in batches until every record is seen',
  guarantee: 'none',
  writesOutput: false,
  async run(ctx: RungContext): Promise<RungResult> {
    const consumer = new KafkaConsumerClient({
      bootstrapServers: ctx.bootstrapServers,
      groupId: ctx.groupId,
      pollTimeoutMs: POLL_TIMEOUT_MS,
    });
    const progress = new Progress(ctx.records, () => ctx.markStart());
    ctx.setProgressSource(() => progress.count);
    let bytes = 0;
    await consumer.connect();
    try {
      consumer.subscribe([ctx.inputTopic]);
      const onBatch = (error: Error | null, messages: readonly ConsumedMessage[]): void => {
        if (error) return progress.fail(error);
        // Touch each message, as any consumer does, so that nothing is measured that a real one would not do.
        for (let i = 0; i < messages.length; i++) bytes += messages[i]!.size;
        progress.add(messages.length);
        if (progress.count < progress.target) consumer.consume(ctx.batchSize, onBatch);
      };
      consumer.consume(ctx.batchSize, onBatch);
      await progress.done;
      ctx.markDrained();
    } finally {
      await consumer.disconnect();
    }
    if (bytes === 0) throw new Error('consumed records without bytes');
    return { records: progress.count };
  },
};
