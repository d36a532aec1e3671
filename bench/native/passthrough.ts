// The consume → produce variants of drain-worker.ts: the raw-passthrough rung's loop on the current client, and the
// same on the native prototype (a consumed columnar batch goes back out whole, one produce call per batch).
import { KafkaConsumerClient, KafkaProducerClient } from '@kaskade/core/internal';
import type { ConsumedMessage, DeliveryReport } from '@kaskade/core/internal';
import { NativeConsumer } from '../../packages/core/src/kafka/native/native-consumer.js';
import { NativeProducer } from '../../packages/core/src/kafka/native/native-producer.js';
import { POLL_TIMEOUT_MS, PRODUCER_CONFIG } from '../lib/client-settings.js';
import { Progress } from '../lib/progress.js';

/** A run under way: `finished` settles once every record is consumed and, with an output, delivered. */
export interface Drain {
  readonly progress: Progress;
  batches: number;
  bytes: number;
  finished: Promise<void>;
  close(): Promise<void>;
}

export interface PassthroughArgs {
  readonly bootstrapServers: string;
  readonly topic: string;
  readonly outputTopic: string;
  readonly records: number;
  readonly batch: number;
  readonly consumerConfig: Readonly<Record<string, string>>;
}

/** Resolves once `reported()` reaches the progress' count after it is done; fails on the first delivery error. */
function allDelivered(progress: Progress, reported: () => number, error: () => Error | undefined) {
  let wake: (() => void) | undefined;
  const check = (): void => {
    if (wake && (error() || reported() >= progress.count)) wake();
  };
  const finished = progress.done.then(async () => {
    if (reported() < progress.count && !error()) await new Promise<void>((resolve) => ((wake = resolve), check()));
    const e = error();
    if (e) throw e;
  });
  return { finished, check };
}

export async function clientPassthrough(args: PassthroughArgs, groupId: string, onFirst: () => void): Promise<Drain> {
  const progress = new Progress(args.records, onFirst);
  let deliveryError: Error | undefined;
  let reports = 0;
  const delivered = allDelivered(
    progress,
    () => reports,
    () => deliveryError,
  );
  const consumer = new KafkaConsumerClient({
    bootstrapServers: args.bootstrapServers,
    groupId,
    pollTimeoutMs: POLL_TIMEOUT_MS,
    config: args.consumerConfig,
  });
  const producer = new KafkaProducerClient({
    bootstrapServers: args.bootstrapServers,
    config: PRODUCER_CONFIG,
    onDelivery: (report: DeliveryReport) => {
      if (report.error) deliveryError ??= report.error;
      reports++;
      delivered.check();
    },
  });
  await Promise.all([consumer.connect(), producer.connect()]);
  consumer.subscribe([args.topic]);
  const drain: Drain = {
    progress,
    batches: 0,
    bytes: 0,
    // As the raw-passthrough rung: flush once everything is consumed, then wait for every report's callback.
    finished: progress.done.then(() => producer.flush()).then(() => delivered.finished),
    close: async () => void (await Promise.all([consumer.disconnect(), producer.disconnect()])),
  };
  const pump = (messages: readonly ConsumedMessage[], from: number): void => {
    for (let i = from; i < messages.length; i++) {
      const m = messages[i]!;
      if (
        !producer.produce(args.outputTopic, -1, m.value, (m.key as Buffer | null | undefined) ?? null, m.timestamp ?? 0)
      ) {
        producer.flush().then(
          () => pump(messages, i),
          (e: unknown) => progress.fail(e as Error),
        );
        return;
      }
      drain.bytes += m.size;
    }
    drain.batches++;
    progress.add(messages.length);
    if (deliveryError) progress.fail(deliveryError);
    else if (progress.count < progress.target) consumer.consume(args.batch, onBatch);
  };
  const onBatch = (error: Error | null, messages: readonly ConsumedMessage[]): void => {
    if (error) progress.fail(error);
    else pump(messages, 0);
  };
  consumer.consume(args.batch, onBatch);
  return drain;
}

export function nativePassthrough(
  args: PassthroughArgs,
  consumerConfig: Record<string, string | number | boolean>,
  onFirst: () => void,
): Drain {
  const progress = new Progress(args.records, onFirst);
  let deliveryError: Error | undefined;
  let reported = 0;
  const sizes = new Map<number, number>();
  const delivered = allDelivered(
    progress,
    () => reported,
    () => deliveryError,
  );
  // The current client's producer settings (KafkaProducerClient's defaults plus the runtime's partitioner).
  const producer = new NativeProducer({
    config: {
      'bootstrap.servers': args.bootstrapServers,
      'client.id': 'kaskade-producer',
      'enable.idempotence': true,
      'linger.ms': 5,
      'queue.buffering.max.messages': 500_000,
      'queue.buffering.max.kbytes': 1_048_576,
      ...PRODUCER_CONFIG,
    },
    onDelivery: (d) => {
      if (d.error) deliveryError ??= d.error;
      reported += sizes.get(d.batchId)!;
      sizes.delete(d.batchId);
      delivered.check();
    },
  });
  const drain: Drain = { progress, batches: 0, bytes: 0, finished: delivered.finished, close: async () => {} };
  const consumer = new NativeConsumer({
    config: consumerConfig,
    topics: [args.topic],
    maxBatch: args.batch,
    pollTimeoutMs: POLL_TIMEOUT_MS,
    onBatch: (error, batch) => {
      if (error) return progress.fail(error);
      const b = batch!;
      const lengths = b.valueLength;
      for (let i = 0; i < b.count; i++) drain.bytes += lengths[i]!;
      sizes.set(producer.produce(args.outputTopic, b), b.count);
      drain.batches++;
      progress.add(b.count);
      if (deliveryError) progress.fail(deliveryError);
    },
  });
  drain.close = async () => void (await Promise.all([consumer.close(), producer.close()]));
  return drain;
}
