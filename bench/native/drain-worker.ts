// One consume-only measurement in a process of its own (by native-consume.ts): drains the input once untimed under
// one group (warm-up), then once timed under another, and prints one JSON line.
//   node --conditions=kaskade-source --import tsx bench/native/drain-worker.ts '<DrainArgs as JSON>'
import { performance } from 'node:perf_hooks';
import { KafkaConsumerClient } from '@kaskade/core/internal';
import type { ConsumedMessage } from '@kaskade/core/internal';
import { NativeConsumer } from '../../packages/core/src/kafka/native/native-consumer.js';
import type { ColumnarBatch } from '../../packages/core/src/kafka/native/columnar-batch.js';
import type { DrainArgs, DrainResult } from './drain-args.js';
import { clientPassthrough, nativePassthrough } from './passthrough.js';
import type { Drain } from './passthrough.js';
import { POLL_TIMEOUT_MS } from '../lib/client-settings.js';
import { Progress } from '../lib/progress.js';
import { cpuTicks, machineTicks, peakRssMb, processesCpuTicks, threadTicks } from '../lib/proc-stats.js';

function consumerConfig(args: DrainArgs, groupId: string): Record<string, string | number | boolean> {
  // The settings KafkaConsumerClient gives the current client (packages/core/src/kafka/kafka-consumer-client.ts).
  return {
    'bootstrap.servers': args.bootstrapServers,
    'group.id': groupId,
    'client.id': `kaskade-${groupId}`,
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'isolation.level': 'read_uncommitted',
    'partition.assignment.strategy': 'range',
    'enable.partition.eof': false,
    'socket.keepalive.enable': true,
    'auto.offset.reset': 'earliest',
    ...args.consumerConfig,
  };
}

async function drainClient(args: DrainArgs, groupId: string, onFirst: () => void): Promise<Drain> {
  const consumer = new KafkaConsumerClient({
    bootstrapServers: args.bootstrapServers,
    groupId,
    pollTimeoutMs: POLL_TIMEOUT_MS,
    config: args.consumerConfig,
  });
  const progress = new Progress(args.records, onFirst);
  const drain: Drain = { progress, batches: 0, bytes: 0, finished: progress.done, close: () => consumer.disconnect() };
  await consumer.connect();
  consumer.subscribe([args.topic]);
  const onBatch = (error: Error | null, messages: readonly ConsumedMessage[]): void => {
    if (error) return drain.progress.fail(error);
    for (let i = 0; i < messages.length; i++) drain.bytes += messages[i]!.size;
    drain.batches++;
    drain.progress.add(messages.length);
    if (drain.progress.count < drain.progress.target) consumer.consume(args.batch, onBatch);
  };
  consumer.consume(args.batch, onBatch);
  return drain;
}

function drainNative(args: DrainArgs, groupId: string, onFirst: () => void): Drain {
  const views = args.variant === 'native-views';
  const progress = new Progress(args.records, onFirst);
  const drain: Drain = { progress, batches: 0, bytes: 0, finished: progress.done, close: async () => {} };
  const consumer = new NativeConsumer({
    config: consumerConfig(args, groupId),
    topics: [args.topic],
    maxBatch: args.batch,
    pollTimeoutMs: POLL_TIMEOUT_MS,
    onBatch: (error, batch: ColumnarBatch | null) => {
      if (error) return drain.progress.fail(error);
      const b = batch!;
      if (views) {
        for (let i = 0; i < b.count; i++) drain.bytes += b.value(i)!.length + b.key(i)!.length;
      } else {
        const lengths = b.valueLength;
        for (let i = 0; i < b.count; i++) drain.bytes += lengths[i]!;
      }
      drain.batches++;
      drain.progress.add(b.count);
    },
  });
  drain.close = () => consumer.close();
  return drain;
}

async function start(args: DrainArgs, groupId: string, output: string, onFirst: () => void): Promise<Drain> {
  const passthrough = { ...args, outputTopic: output };
  switch (args.variant) {
    case 'client':
      return drainClient(args, groupId, onFirst);
    case 'client-passthrough':
      return clientPassthrough(passthrough, groupId, onFirst);
    case 'native-passthrough':
      return nativePassthrough(passthrough, consumerConfig(args, groupId), onFirst);
    default:
      return drainNative(args, groupId, onFirst);
  }
}

async function run(
  args: DrainArgs,
  groupId: string,
  output: string,
  onFirst: () => void,
  onDrained: () => void,
): Promise<Drain> {
  const drain = await start(args, groupId, output, onFirst);
  try {
    await drain.finished;
    onDrained();
  } finally {
    await drain.close();
  }
  if (drain.bytes === 0) throw new Error('consumed records without bytes');
  return drain;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '') as DrainArgs;
  await run(
    args,
    `${args.groupId}-warmup`,
    `${args.outputTopic}-warmup`,
    () => undefined,
    () => undefined,
  );
  let start = {
    wall: 0,
    ticks: 0,
    broker: undefined as number | undefined,
    machine: machineTicks(),
    threads: new Map<string, number>(),
  };
  let drained = { ...start };
  const sample = (): typeof start => ({
    wall: performance.now(),
    ticks: cpuTicks(),
    broker: processesCpuTicks(args.brokerPids),
    machine: machineTicks(),
    threads: threadTicks(),
  });
  const drain = await run(
    args,
    args.groupId,
    args.outputTopic,
    () => (start = sample()),
    () => (drained = sample()),
  );
  const end = performance.now();
  const perSecond = args.ticksPerSecond;
  const result: DrainResult = {
    variant: args.variant,
    records: drain.progress.count,
    drainedSeconds: (drained.wall - start.wall) / 1000,
    seconds: (end - start.wall) / 1000,
    cpuSeconds: (drained.ticks - start.ticks) / perSecond,
    brokerCpuSeconds:
      start.broker === undefined || drained.broker === undefined ? null : (drained.broker - start.broker) / perSecond,
    machineBusyCores:
      ((drained.machine.busy - start.machine.busy) / Math.max(1, drained.machine.total - start.machine.total)) *
      drained.machine.cores,
    batches: drain.batches,
    peakRssMb: peakRssMb(),
    threadCpuSeconds: Object.fromEntries(
      [...drained.threads]
        .map(([name, ticks]) => [name, (ticks - (start.threads.get(name) ?? 0)) / perSecond] as const)
        .filter(([, seconds]) => seconds > 0)
        .sort((a, b) => b[1] - a[1]),
    ),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
