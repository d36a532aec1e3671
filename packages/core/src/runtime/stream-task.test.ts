import { describe, expect, it } from 'vitest';
import type { ProcessorContext, Record, TimestampExtractor } from '@kaskade/processor-api';
import { InvalidTimestampError } from '../errors/invalid-timestamp-error.js';
import { LogAndSkipOnInvalidTimestamp } from '../time/log-and-skip-on-invalid-timestamp.js';
import { RecordTimestampExtractor } from '../time/record-timestamp-extractor.js';
import { LogAndFailExceptionHandler } from '../errors/log-and-fail-exception-handler.js';
import type { ConsumedMessage } from '../kafka/kafka-types.js';
import { Serdes } from '../serde/serdes.js';
import { Topology } from '../topology/topology.js';
import { StreamTask } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function env(
  sent: { topic: string; value: string | undefined }[],
  extractor: TimestampExtractor = new RecordTimestampExtractor(),
): TaskEnvironment {
  const fail = new LogAndFailExceptionHandler({ logger: quiet, deadLetterQueueTopic: undefined });
  return {
    applicationId: 'app',
    appConfigs: {},
    defaultKeySerde: Serdes.String() as never,
    defaultValueSerde: Serdes.String() as never,
    defaultTimestampExtractor: extractor,
    deserializationExceptionHandler: fail,
    processingExceptionHandler: fail,
    collector: {
      send: (topic, _p, _k, value) => sent.push({ topic, value: value?.toString() }),
      partitionsFor: () => 1,
    },
    wallClockMs: () => 0,
    appStateDir: '/nonexistent',
    cacheMaxBytesPerTask: 0,
    resolveTopic: (t) => t,
    logger: quiet,
  };
}

function msg(topic: string, offset: number, timestamp: number, value: string): ConsumedMessage {
  return { topic, partition: 3, offset, timestamp, key: Buffer.from('k'), value: Buffer.from(value), size: 1 };
}

describe('StreamTask', () => {
  it('should take the partition whose head has the smallest timestamp, and keep stream time monotonic', () => {
    const seen: string[] = [];
    const times: number[] = [];
    const topology = new Topology()
      .addSource('a', 'left')
      .addSource('b', 'right')
      .addProcessor(
        'p',
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (c: ProcessorContext<string, string>) => (ctx = c),
            process: (r: Record<string, string>) => {
              seen.push(r.value);
              times.push(ctx.currentStreamTimeMs());
              ctx.forward(r);
            },
          };
        },
        'a',
        'b',
      )
      .addSink('out', 'out', {}, 'p');
    const sent: { topic: string; value: string | undefined }[] = [];
    const sub = topology.subtopologies()[0]!;
    const task = new StreamTask({ subtopology: 0, partition: 3 }, sub, topology, env(sent));
    task.initializeProcessors();
    for (const [o, ts] of [10, 30, 50].entries()) task.addMessage(msg('left', o, ts, `L${ts}`));
    for (const [o, ts] of [20, 25, 5, 60].entries()) task.addMessage(msg('right', o, ts, `R${ts}`));
    expect(task.process(Number.POSITIVE_INFINITY)).toBe(7);
    // Heads compared by timestamp; within a partition, order is kept even when timestamps go back (R5).
    expect(seen).toEqual(['L10', 'R20', 'R25', 'R5', 'L30', 'L50', 'R60']);
    expect(times).toEqual([10, 20, 25, 25, 30, 50, 60]);
    expect(sent.map((s) => s.value)).toEqual(seen);
    expect(task.committableOffsets()).toEqual([
      { topic: 'left', partition: 3, offset: 3 },
      { topic: 'right', partition: 3, offset: 4 },
    ]);
  });

  it('should fail on a negative timestamp by default, naming the record', () => {
    const topology = new Topology().addSource('a', 'in').addSink('out', 'out', {}, 'a');
    const task = new StreamTask({ subtopology: 0, partition: 3 }, topology.subtopologies()[0]!, topology, env([]));
    task.initializeProcessors();
    task.addMessage(msg('in', 0, -1, 'bad'));
    expect(() => task.process(10)).toThrowError(InvalidTimestampError);
  });

  it('should skip records with a negative timestamp when the extractor says so, and count them as dropped', () => {
    const topology = new Topology().addSource('a', 'in').addSink('out', 'out', {}, 'a');
    const sent: { topic: string; value: string | undefined }[] = [];
    const extractor = new LogAndSkipOnInvalidTimestamp(quiet);
    const task = new StreamTask(
      { subtopology: 0, partition: 3 },
      topology.subtopologies()[0]!,
      topology,
      env(sent, extractor),
    );
    task.initializeProcessors();
    task.addMessage(msg('in', 0, 1, 'ok'));
    task.addMessage(msg('in', 1, -1, 'bad'));
    task.addMessage(msg('in', 2, 2, 'ok2'));
    task.process(10);
    expect(sent.map((s) => s.value)).toEqual(['ok', 'ok2']);
    expect(task.droppedByReason.get('invalid-timestamp')).toBe(1);
    expect(task.committableOffsets()).toEqual([{ topic: 'in', partition: 3, offset: 3 }]);
  });
});
