import { describe, expect, it } from 'vitest';
import type { Record } from '@kaskade/processor-api';
import { LogAndFailExceptionHandler } from '../../errors/log-and-fail-exception-handler.js';
import type { KafkaConsumerClient } from '../../kafka/kafka-consumer-client.js';
import type { TopicPartition } from '../../kafka/kafka-types.js';
import { Serdes } from '../../serde/serdes.js';
import { RecordTimestampExtractor } from '../../time/record-timestamp-extractor.js';
import { Topology } from '../../topology/topology.js';
import { StreamTask } from '../stream-task.js';
import type { TaskEnvironment } from '../task-environment.js';
import { AsyncFlowControl } from './async-flow-control.js';
import { asyncProcessor } from './async-processor.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function env(): TaskEnvironment {
  const fail = new LogAndFailExceptionHandler({ logger: quiet });
  return {
    applicationId: 'app',
    appConfigs: {},
    defaultKeySerde: Serdes.String() as never,
    defaultValueSerde: Serdes.String() as never,
    defaultTimestampExtractor: new RecordTimestampExtractor(),
    deserializationExceptionHandler: fail,
    processingExceptionHandler: fail,
    collector: { send: () => undefined, partitionsFor: () => 1 },
    wallClockMs: () => 0,
    appStateDir: '/nonexistent',
    cacheMaxBytesPerTask: 0,
    resolveTopic: (t) => t,
    logger: quiet,
  };
}

/** A consumer that records what it was asked to pause, resume and how long to poll. */
function fakeConsumer() {
  const calls: string[] = [];
  const names = (ps: readonly TopicPartition[]) => ps.map((p) => `${p.topic}-${p.partition}`).join(',');
  const consumer = {
    pause: (ps: readonly TopicPartition[]) => calls.push(`pause ${names(ps)}`),
    resume: (ps: readonly TopicPartition[]) => calls.push(`resume ${names(ps)}`),
    setPollTimeout: (ms: number) => calls.push(`poll ${ms}`),
  } as unknown as KafkaConsumerClient;
  return { consumer, calls };
}

describe('AsyncFlowControl', () => {
  it('should pause a full task, poll briefly while calls are in flight, and resume and poll normally after', async () => {
    const release: (() => void)[] = [];
    const topology = new Topology().addSource('src', 'in').addProcessor(
      'async',
      asyncProcessor<unknown, unknown, unknown, unknown>(
        () => ({
          process: (r: Record<unknown, unknown>) =>
            new Promise<Record<unknown, unknown>[]>((resolve) => release.push(() => resolve([r]))),
        }),
        { concurrency: 2, maxInFlight: 2 },
      ),
      'src',
    );
    const task = new StreamTask({ subtopology: 0, partition: 5 }, topology.subtopologies()[0]!, topology, env());
    task.initializeProcessors();
    const flow = new AsyncFlowControl(topology, 100, false);
    const { consumer, calls } = fakeConsumer();
    for (let i = 0; i < 3; i++) {
      task.addMessage({
        topic: 'in',
        partition: 5,
        offset: i,
        timestamp: i,
        key: Buffer.from(`k${i}`),
        value: null,
        size: 1,
      });
    }
    expect(task.process(Number.POSITIVE_INFINITY)).toBe(2);
    flow.afterBatch([task], consumer, false);
    expect(calls).toEqual(['pause in-5', 'poll 10']);
    release.splice(0).forEach((r) => r());
    await new Promise((r) => setImmediate(r));
    expect(task.process(Number.POSITIVE_INFINITY)).toBe(1);
    flow.afterBatch([task], consumer, false);
    expect(calls.slice(2)).toEqual(['resume in-5']);
    release.splice(0).forEach((r) => r());
    await new Promise((r) => setImmediate(r));
    task.process(0);
    flow.afterBatch([task], consumer, false);
    expect(calls.slice(3)).toEqual(['poll 100']);
    task.close();
  });

  it('should not resume a partition while the whole instance is paused, and resume it when assigned again', () => {
    const topology = new Topology().addSource('src', 'in');
    const flow = new AsyncFlowControl(topology, 100, false);
    const { consumer, calls } = fakeConsumer();
    const runner = { inFlight: 1, saturated: true };
    const task = {
      asyncRunner: runner,
      inputPartitions: () => [{ topic: 'in', partition: 0 }],
    } as unknown as StreamTask;
    flow.afterBatch([task], consumer, false);
    runner.saturated = false;
    flow.afterBatch([task], consumer, true);
    expect(calls).toEqual(['pause in-0', 'poll 10']);
    runner.saturated = true;
    flow.afterBatch([task], consumer, false);
    flow.forget([{ topic: 'in', partition: 0 }]);
    flow.assigned([{ topic: 'in', partition: 0 }], consumer, false);
    expect(calls).toEqual(['pause in-0', 'poll 10', 'pause in-0', 'resume in-0']);
  });

  it('should leave a partition paused while another pause (a topic rate limit) still holds its topic', () => {
    const topology = new Topology().addSource('src', 'in');
    const flow = new AsyncFlowControl(topology, 100, false);
    const { consumer, calls } = fakeConsumer();
    const runner = { inFlight: 0, saturated: true };
    const task = {
      asyncRunner: runner,
      inputPartitions: () => [{ topic: 'in', partition: 0 }],
    } as unknown as StreamTask;
    flow.afterBatch([task], consumer, false);
    expect(flow.holds({ topic: 'in', partition: 0 })).toBe(true);
    runner.saturated = false;
    flow.afterBatch([task], consumer, false, (tp) => tp.topic === 'in');
    expect(calls).toEqual(['pause in-0']);
    expect(flow.holds({ topic: 'in', partition: 0 })).toBe(false);
  });

  it('should, under exactly-once, let a commit wait for the calls of a task whose records have effects before them', async () => {
    const slow = () =>
      asyncProcessor<unknown, unknown, unknown, unknown>(() => ({
        process: async (r: Record<unknown, unknown>) => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          return [r];
        },
      }));
    const withAudit = new Topology()
      .addSource('src', 'in')
      .addSink('audit', 'audit', {}, 'src')
      .addProcessor('async', slow(), 'src')
      .addSink('out', 'out', {}, 'async');
    const pure = new Topology()
      .addSource('src', 'in')
      .addProcessor('async', slow(), 'src')
      .addSink('out', 'out', {}, 'async');
    for (const [topology, waits] of [
      [withAudit, true],
      [pure, false],
    ] as const) {
      const task = new StreamTask({ subtopology: 0, partition: 0 }, topology.subtopologies()[0]!, topology, env());
      task.initializeProcessors();
      task.addMessage({
        topic: 'in',
        partition: 0,
        offset: 0,
        timestamp: 0,
        key: Buffer.from('k'),
        value: null,
        size: 1,
      });
      task.process(Number.POSITIVE_INFINITY);
      await new AsyncFlowControl(topology, 100, true).beforeCommit([task]);
      expect(task.asyncRunner!.inFlight).toBe(waits ? 0 : 1);
      task.close();
    }
  });
});
