import { describe, expect, it } from 'vitest';
import type { AsyncProcessor, Record } from '@kaskade/processor-api';
import { LogAndFailExceptionHandler } from '../../errors/log-and-fail-exception-handler.js';
import type { ConsumedMessage } from '../../kafka/kafka-types.js';
import { Serdes } from '../../serde/serdes.js';
import { RecordTimestampExtractor } from '../../time/record-timestamp-extractor.js';
import { Topology } from '../../topology/topology.js';
import { StreamTask } from '../stream-task.js';
import type { TaskEnvironment } from '../task-environment.js';
import { asyncProcessor } from './async-processor.js';
import { hasEffectsBeforeAsync } from './effects-before-async.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function env(sent: string[], exactlyOnce: boolean): TaskEnvironment {
  const fail = new LogAndFailExceptionHandler({ logger: quiet });
  return {
    applicationId: 'app',
    appConfigs: { processingGuarantee: exactlyOnce ? 'exactly_once_v2' : 'at_least_once' },
    defaultKeySerde: Serdes.String() as never,
    defaultValueSerde: Serdes.String() as never,
    defaultTimestampExtractor: new RecordTimestampExtractor(),
    deserializationExceptionHandler: fail,
    processingExceptionHandler: fail,
    collector: { send: (_t, _p, _k, value) => sent.push(value!.toString()), partitionsFor: () => 1 },
    wallClockMs: () => 0,
    appStateDir: '/nonexistent',
    cacheMaxBytesPerTask: 0,
    resolveTopic: (t) => t,
    logger: quiet,
  };
}

function msg(offset: number, key: string): ConsumedMessage {
  return {
    topic: 'in',
    partition: 0,
    offset,
    timestamp: offset,
    key: Buffer.from(key),
    value: Buffer.from(key),
    size: 1,
  };
}

/** An async processor whose calls finish when the test says so, by input value. */
function controlled(): { supplier: AsyncProcessor<string, string, string, string>; finish: (v: string) => void } {
  const pending = new Map<string, () => void>();
  return {
    supplier: {
      process: (r: Record<string, string>) =>
        new Promise((resolve) => pending.set(r.value, () => resolve([r.withValue(`${r.value}'`)]))),
    },
    finish: (v) => pending.get(v)!(),
  };
}

function task(exactlyOnce: boolean, processor: AsyncProcessor<string, string, string, string>, sent: string[]) {
  const topology = new Topology()
    .addSource('src', 'in')
    .addProcessor(
      'async',
      asyncProcessor(() => processor, { concurrency: 10 }),
      'src',
    )
    .addSink('sink', 'out', {}, 'async');
  const t = new StreamTask(
    { subtopology: 0, partition: 0 },
    topology.subtopologies()[0]!,
    topology,
    env(sent, exactlyOnce),
  );
  t.initializeProcessors();
  return t;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('AsyncTaskRunner', () => {
  it('should keep the committable offset at the oldest record with unfinished work (at-least-once)', async () => {
    const sent: string[] = [];
    const c = controlled();
    const t = task(false, c.supplier, sent);
    ['a', 'b', 'c'].forEach((k, i) => t.addMessage(msg(i, k)));
    t.process(Number.POSITIVE_INFINITY);
    expect(t.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: 0 }]);
    c.finish('b');
    await tick();
    t.process(0);
    // b is out, but a is not finished: the offset stays at a.
    expect(sent).toEqual(["b'"]);
    expect(t.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: 0 }]);
    c.finish('a');
    await tick();
    t.process(0);
    expect(t.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: 2 }]);
    c.finish('c');
    await tick();
    t.process(0);
    expect(sent).toEqual(["b'", "a'", "c'"]);
    expect(t.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: 3 }]);
    t.close();
  });

  it('should, under exactly-once, forward results in offset order so a commit never holds a record above its offset', async () => {
    const sent: string[] = [];
    const c = controlled();
    const t = task(true, c.supplier, sent);
    ['a', 'b', 'c'].forEach((k, i) => t.addMessage(msg(i, k)));
    t.process(Number.POSITIVE_INFINITY);
    c.finish('c');
    c.finish('b');
    await tick();
    t.process(0);
    expect(sent).toEqual([]);
    expect(t.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: 0 }]);
    c.finish('a');
    await tick();
    t.process(0);
    expect(sent).toEqual(["a'", "b'", "c'"]);
    expect(t.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: 3 }]);
    t.close();
  });

  it('should ignore results that arrive after the task gave its work up', async () => {
    const sent: string[] = [];
    const c = controlled();
    const t = task(false, c.supplier, sent);
    t.addMessage(msg(0, 'a'));
    t.process(Number.POSITIVE_INFINITY);
    t.close();
    c.finish('a');
    await tick();
    t.process(0);
    expect(sent).toEqual([]);
    expect(t.asyncRunner!.inFlight).toBe(0);
  });

  it('should tell whether a record can have effects before its asynchronous step', () => {
    const noop = asyncProcessor(() => ({ process: async () => [] }));
    const pure = new Topology().addSource('s', 'in').addProcessor('a', noop, 's').addSink('o', 'out', {}, 'a');
    expect(hasEffectsBeforeAsync(pure, pure.subtopologies()[0]!)).toBe(false);
    const branch = new Topology()
      .addSource('s', 'in')
      .addProcessor(
        'a',
        asyncProcessor(() => ({ process: async () => [] })),
        's',
      )
      .addSink('o', 'out', {}, 'a')
      .addSink('audit', 'audit', {}, 's');
    expect(hasEffectsBeforeAsync(branch, branch.subtopologies()[0]!)).toBe(true);
  });
});
