// Records that can never be delivered, and sink serializers that throw, reach the production exception handler with
// the source record's context: FAIL ends in ERROR with the cause, CONTINUE drops (counted) and every good record is
// committed — under exactly-once too, where such a record used to fail every transaction forever.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, Topology } from '@kaskade/core';
import type {
  HandlerResponse,
  ProcessingExceptionHandler,
  ProductionErrorContext,
  ProductionExceptionHandler,
  StreamsConfigInput,
} from '@kaskade/core';
import type { Serde } from '@kaskade/processor-api';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { FaultyProducer } from './eos/faulty-producer.js';
import { createTopics, eventually, produce, readToEnd, readTopic, recordingLogger, str } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kaskade-prod-'));
  dirs.push(d);
  return d;
}

const BIG = 200_000;
const TOPIC_LIMIT = '100000';

/** Records every call; answers with `action`. */
class RecordingProductionHandler implements ProductionExceptionHandler {
  readonly calls: { context: ProductionErrorContext; error: Error; origin?: 'KEY' | 'VALUE' }[] = [];
  constructor(
    private readonly action: 'FAIL' | 'CONTINUE',
    serialization = true,
  ) {
    if (!serialization) this.handleSerializationException = undefined;
  }
  handle(context: ProductionErrorContext, error: Error): HandlerResponse {
    this.calls.push({ context, error });
    return { action: this.action };
  }
  handleSerializationException?: ProductionExceptionHandler['handleSerializationException'] = (
    context,
    error,
    origin,
  ) => {
    this.calls.push({ context, error, origin });
    return { action: this.action };
  };
}

/** A processing handler that must never be asked in these tests. */
const processingSpy: ProcessingExceptionHandler & { calls: number } = {
  calls: 0,
  handle() {
    this.calls++;
    return { action: 'CONTINUE' };
  },
};

function passThrough(input: string, output: string, valueSerde: Serde<unknown> = Serdes.String() as never): Topology {
  return new Topology()
    .addSource('src', input, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .addSink('sink', output, { keySerde: Serdes.String(), valueSerde }, 'src');
}

/** `n` small records, with a large one (BIG bytes) at each index of `big`. */
function records(n: number, big: readonly number[]) {
  return Array.from({ length: n }, (_, i) => ({
    key: `k${i % 7}`,
    value: big.includes(i) ? `big-${i}:`.padEnd(BIG, 'x') : `v${i}`,
    partition: 0,
  }));
}

async function run(config: Partial<StreamsConfigInput>, topology: (input: string, output: string) => Topology) {
  const input = uniqueName('prod-in');
  const output = uniqueName('prod-out');
  await createTopics(
    { topic: input, partitions: 1 },
    { topic: output, partitions: 1, config: { 'max.message.bytes': TOPIC_LIMIT } },
  );
  const logger = recordingLogger();
  const streams = new KafkaStreams(topology(input, output), {
    applicationId: uniqueName('prod-app'),
    bootstrapServers: bootstrapServers(),
    stateDir: stateDir(),
    logger,
    processingExceptionHandler: processingSpy,
    ...config,
  });
  return { input, output, streams, logger };
}

describe('undeliverable records', () => {
  it('exactly-once, CONTINUE: drops the records the topic refuses as too large, counts them and commits every good one', async () => {
    const handler = new RecordingProductionHandler('CONTINUE');
    const { input, output, streams } = await run(
      { processingGuarantee: 'exactly_once_v2', productionExceptionHandler: handler },
      passThrough,
    );
    await streams.start();
    const big = [50, 300, 301, 550];
    await produce(input, records(600, big));
    const out = await readTopic(output, (all) => all.length >= 596, { isolation: 'read_committed', timeoutMs: 90_000 });
    await eventually(() => streams.metrics().droppedByReason['production-error'] === 4, 30_000, 'drops counted');
    const extra = await readTopic(output, (all) => all.length > 596, { isolation: 'read_committed', timeoutMs: 3000 });
    expect(streams.state).toBe('RUNNING');
    expect(extra).toHaveLength(596);
    expect(out.map((m) => str(m.value))).toEqual(
      records(600, [])
        .filter((_, i) => !big.includes(i))
        .map((r) => r.value),
    );
    // A rewind processes the input again from the last commit, so the handler may be asked about a record again.
    const offsets = [...new Set(handler.calls.map((c) => c.context.sourceRecord?.offset))].sort((a, b) => a! - b!);
    expect(offsets).toEqual(big);
    for (const c of handler.calls) {
      expect(c.context).toMatchObject({
        topic: output,
        nodeName: 'sink',
        sourceRecord: { topic: input, partition: 0 },
      });
      expect(c.error.message).toMatch(/larger than the topic accepts/);
    }
    expect(processingSpy.calls).toBe(0);
    console.log(
      `[production-errors] EOS CONTINUE: ${streams.metrics().transactionRecoveries} rewinds, ${handler.calls.length} handler calls`,
    );
    await streams.close();
  });

  it('exactly-once, FAIL: ends in ERROR naming the topic and the source record, logged at error level', async () => {
    const { input, output, streams, logger } = await run({ processingGuarantee: 'exactly_once_v2' }, passThrough);
    await streams.start();
    await produce(input, records(100, [40]));
    await eventually(() => streams.state === 'ERROR', 60_000, 'ERROR');
    expect(streams.error?.message).toMatch(new RegExp(`sink "sink" failed on record ${input}-0@40 .*${output}`));
    expect(logger.at('error').some((m) => m.includes(`${input}-0@40`))).toBe(true);
    // Nothing from the failed transactions leaks to read_committed readers: at most the records before the big one.
    const out = await readToEnd(output, { isolation: 'read_committed', settleMs: 3000 });
    expect(out.every((m) => str(m.value)!.length < 100)).toBe(true);
    await streams.close();
  });

  it("at-least-once, CONTINUE: a record over the producer's message.max.bytes is dropped with its source record, the rest delivered", async () => {
    const handler = new RecordingProductionHandler('CONTINUE');
    const { input, output, streams } = await run(
      { productionExceptionHandler: handler, producerConfig: { 'message.max.bytes': 150_000 }, commitIntervalMs: 200 },
      passThrough,
    );
    await streams.start();
    await produce(input, records(200, [10, 120]));
    const out = await readTopic(output, (all) => all.length >= 198, { timeoutMs: 60_000 });
    await eventually(() => streams.metrics().droppedByReason['production-error'] === 2, 30_000, 'drops counted');
    expect(new Set(out.map((m) => str(m.value))).size).toBe(198);
    expect(handler.calls.map((c) => c.context.sourceRecord?.offset)).toEqual([10, 120]);
    expect(handler.calls[0]!.error.message).toMatch(/larger than the producer allows \(its message.max.bytes\)/);
    expect(streams.metrics().transactionRecoveries).toBe(0);
    expect(streams.state).toBe('RUNNING');
    await streams.close();
  });

  it('at-least-once: a dead letter the broker refuses reaches the production handler and is not counted as dead-lettered', async () => {
    const input = uniqueName('dlq-in');
    const output = uniqueName('dlq-out');
    const dlq = uniqueName('dlq');
    await createTopics(
      { topic: input, partitions: 1 },
      { topic: output, partitions: 1 },
      { topic: dlq, partitions: 1, config: { 'max.message.bytes': TOPIC_LIMIT } },
    );
    const handler = new RecordingProductionHandler('CONTINUE');
    const streams = new KafkaStreams(
      new Topology()
        .addSource('src', input, { keySerde: Serdes.String(), valueSerde: Serdes.Json() })
        .addSink('sink', output, { keySerde: Serdes.String(), valueSerde: Serdes.Json() }, 'src'),
      {
        applicationId: uniqueName('dlq-app'),
        bootstrapServers: bootstrapServers(),
        stateDir: stateDir(),
        logger: recordingLogger(),
        deserializationExceptionHandler: 'logAndContinue',
        deadLetterQueueTopic: dlq,
        productionExceptionHandler: handler,
        commitIntervalMs: 200,
      },
    );
    await streams.start();
    await produce(input, [
      { key: 'a', value: '{"n":1}' },
      { key: 'b', value: '{broken' },
      { key: 'c', value: '{broken'.padEnd(BIG, 'x') },
      { key: 'd', value: '{"n":2}' },
    ]);
    const out = await readTopic(output, (all) => all.length >= 2, { timeoutMs: 60_000 });
    await eventually(() => handler.calls.length >= 1 && streams.metrics().processed >= 4, 60_000, 'handler call');
    await eventually(() => streams.metrics().deadLettered === 1, 30_000, 'dead letters counted');
    const dead = await readTopic(dlq, (all) => all.length >= 1, { timeoutMs: 10_000 });
    expect(new Set(out.map((m) => str(m.key)))).toEqual(new Set(['a', 'd']));
    // At-least-once: the rewind sends what followed the last commit again, so 'b' may be there twice; 'c' never.
    expect(new Set(dead.map((m) => str(m.key)))).toEqual(new Set(['b']));
    expect(handler.calls[0]!.context).toMatchObject({ topic: dlq, sourceRecord: { topic: input, offset: 2 } });
    expect(streams.metrics().droppedByReason['production-error']).toBe(1);
    await streams.close();
  });
});

describe('a topic chosen at run time that does not exist', () => {
  it('exactly-once, CONTINUE: its records are dropped with their source records and every other record is committed exactly once', async () => {
    const input = uniqueName('dyn-in');
    const output = uniqueName('dyn-out');
    const missing = uniqueName('dyn-missing');
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const handler = new RecordingProductionHandler('CONTINUE');
    const streams = new KafkaStreams(
      new Topology()
        .addSource('src', input, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
        .addSink(
          'router',
          (_key: unknown, value: unknown) => (String(value).startsWith('lost') ? missing : output),
          { keySerde: Serdes.String(), valueSerde: Serdes.String() },
          'src',
        ),
      {
        applicationId: uniqueName('dyn-app'),
        bootstrapServers: bootstrapServers(),
        stateDir: stateDir(),
        processingGuarantee: 'exactly_once_v2',
        productionExceptionHandler: handler,
        // librdkafka waits this long for an unknown topic to appear before failing its records (default 30 s).
        producerConfig: { 'topic.metadata.propagation.max.ms': 2000 },
        logger: recordingLogger(),
      },
    );
    await streams.start();
    const values = Array.from({ length: 300 }, (_, i) => (i % 100 === 42 ? `lost${i}` : `v${i}`));
    await produce(
      input,
      values.map((value) => ({ key: 'k', value, partition: 0 })),
    );
    const good = values.filter((v) => !v.startsWith('lost'));
    const out = await readTopic(output, (all) => all.length >= good.length, {
      isolation: 'read_committed',
      timeoutMs: 90_000,
    });
    await eventually(() => streams.metrics().droppedByReason['production-error'] === 3, 30_000, 'drops counted');
    const extra = await readTopic(output, (all) => all.length > good.length, {
      isolation: 'read_committed',
      timeoutMs: 3000,
    });
    expect(extra.map((m) => str(m.value))).toEqual(good);
    expect(out).toHaveLength(good.length);
    const offsets = [...new Set(handler.calls.map((c) => c.context.sourceRecord?.offset))].sort((a, b) => a! - b!);
    expect(offsets).toEqual([42, 142, 242]);
    expect(handler.calls.every((c) => c.context.topic === missing)).toBe(true);
    expect(streams.state).toBe('RUNNING');
    await streams.close();
  });
});

describe('sink serialization errors (KIP-399)', () => {
  const picky: Serde<unknown> = {
    serialize: (_topic, value) => {
      if (String(value).startsWith('bad')) throw new Error(`cannot serialize ${String(value)}`);
      return Buffer.from(String(value));
    },
    deserialize: (_topic, data) => data.toString(),
  };

  it("go to the production handler's serialization hook with the origin and the source record, never the processing handler", async () => {
    const handler = new RecordingProductionHandler('CONTINUE');
    const { input, output, streams } = await run(
      { productionExceptionHandler: handler, commitIntervalMs: 200 },
      (i, o) => passThrough(i, o, picky),
    );
    await streams.start();
    await produce(
      input,
      ['ok1', 'bad2', 'ok3'].map((value) => ({ key: 'k', value, partition: 0 })),
    );
    const out = await readTopic(output, (all) => all.length >= 2, { timeoutMs: 60_000 });
    expect(out.map((m) => str(m.value))).toEqual(['ok1', 'ok3']);
    await eventually(() => streams.metrics().droppedByReason['serialization-error'] === 1, 10_000, 'drop counted');
    expect(handler.calls).toHaveLength(1);
    expect(handler.calls[0]).toMatchObject({
      origin: 'VALUE',
      context: { topic: output, nodeName: 'sink', sourceRecord: { topic: input, partition: 0, offset: 1 } },
    });
    expect(handler.calls[0]!.error.message).toMatch(/cannot serialize bad2/);
    expect(processingSpy.calls).toBe(0);
    await streams.close();
  });

  it('fail the application by default (no serialization hook), with the cause', async () => {
    const { input, streams } = await run(
      { productionExceptionHandler: new RecordingProductionHandler('CONTINUE', false) },
      (i, o) => passThrough(i, o, picky),
    );
    await streams.start();
    await produce(input, [{ key: 'k', value: 'bad1', partition: 0 }]);
    await eventually(() => streams.state === 'ERROR', 30_000, 'ERROR');
    expect(streams.error?.name).toBe('ProductionError');
    expect(streams.error?.message).toMatch(/cannot serialize the record's value .*cannot serialize bad1/);
    expect(processingSpy.calls).toBe(0);
    await streams.close();
  });
});

describe('a failure that every abort brings back', () => {
  it('exactly-once: escalates to ERROR with the cause, logged at error level, instead of aborting forever', async () => {
    const input = uniqueName('loop-in');
    const output = uniqueName('loop-out');
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const logger = recordingLogger();
    let injected = 0;
    // Every commit after the first fails the same way, as a record that can never be delivered would.
    const plan = { fault: 'abortable' as const, times: Number.POSITIVE_INFINITY, after: 1 };
    const streams = new KafkaStreams(
      passThrough(input, output),
      {
        applicationId: uniqueName('loop-app'),
        bootstrapServers: bootstrapServers(),
        stateDir: stateDir(),
        processingGuarantee: 'exactly_once_v2',
        logger,
      },
      {
        producerFactory: (options, createDefault) =>
          new FaultyProducer(
            createDefault(options),
            plan,
            () => injected++,
            () => injected,
          ),
      },
    );
    await streams.start();
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      await produce(input, [{ key: 'k', value: `v${i}`, partition: 0 }]);
      await new Promise((r) => setTimeout(r, 300));
    }
    await eventually(() => streams.state === 'ERROR', 60_000, 'ERROR');
    console.log(`[production-errors] escalated after ${Date.now() - started} ms and ${injected} failed commits`);
    expect(streams.error?.message).toMatch(
      /giving up: the same failure came back \d+ times in a row .*injected: transaction requires abort/,
    );
    expect(injected).toBeGreaterThanOrEqual(5);
    expect(logger.at('error').some((m) => m.includes('giving up'))).toBe(true);
    await streams.close();
  });
});
