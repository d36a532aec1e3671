// Task idling (KIP-695): when a task with several input partitions may process, exercised through a real
// StreamTask with a controlled wall clock and controlled lags.
import { describe, expect, it } from 'vitest';
import { LogAndFailExceptionHandler } from '../errors/log-and-fail-exception-handler.js';
import type { ConsumedMessage } from '../kafka/kafka-types.js';
import { Serdes } from '../serde/serdes.js';
import { RecordTimestampExtractor } from '../time/record-timestamp-extractor.js';
import { Topology } from '../topology/topology.js';
import { StreamTask } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

interface Harness {
  task: StreamTask;
  seen: string[];
  /** Lag per topic as the consumer would report it (-1 unknown). */
  lags: Map<string, number>;
  clock: { now: number };
  /** Fetched positions the lag source was asked with, per topic. */
  asked: Map<string, number>;
  add(topic: string, offset: number, timestamp: number): void;
}

function harness(maxTaskIdleMs: number | undefined, topics: string[] = ['left', 'right']): Harness {
  const seen: string[] = [];
  const lags = new Map<string, number>();
  const asked = new Map<string, number>();
  const clock = { now: 1000 };
  const fail = new LogAndFailExceptionHandler({ logger: quiet, deadLetterQueueTopic: undefined });
  const env: TaskEnvironment = {
    applicationId: 'app',
    appConfigs: {},
    defaultKeySerde: Serdes.String() as never,
    defaultValueSerde: Serdes.String() as never,
    defaultTimestampExtractor: new RecordTimestampExtractor(),
    deserializationExceptionHandler: fail,
    processingExceptionHandler: fail,
    collector: { send: () => undefined, partitionsFor: () => 1 },
    wallClockMs: () => clock.now,
    appStateDir: '/nonexistent',
    cacheMaxBytesPerTask: 0,
    resolveTopic: (t) => t,
    logger: quiet,
    ...(maxTaskIdleMs === undefined
      ? {}
      : {
          idling: {
            maxTaskIdleMs,
            lags: {
              fetchedLag: (topic: string, _p: number, position: number) => {
                asked.set(topic, position);
                return lags.get(topic) ?? -1;
              },
            },
          },
        }),
  };
  let topology = new Topology();
  for (const t of topics) topology = topology.addSource(`src-${t}`, t);
  topology = topology.addProcessor(
    'p',
    () => ({ process: (r: { value: string }) => void seen.push(r.value) }),
    ...topics.map((t) => `src-${t}`),
  );
  const task = new StreamTask({ subtopology: 0, partition: 0 }, topology.subtopologies()[0]!, topology, env);
  task.initializeProcessors();
  const add = (topic: string, offset: number, timestamp: number): void => {
    const m: ConsumedMessage = {
      topic,
      partition: 0,
      offset,
      timestamp,
      key: Buffer.from('k'),
      value: Buffer.from(`${topic[0]!.toUpperCase()}${timestamp}`),
      size: 1,
    };
    task.addMessage(m);
  };
  return { task, seen, lags, clock, asked, add };
}

const ALL = Number.POSITIVE_INFINITY;

describe('PartitionGroup (task idling)', () => {
  it('should process what is buffered without waiting when maxTaskIdleMs is -1 (or no idling is configured)', () => {
    for (const h of [harness(-1), harness(undefined)]) {
      h.add('left', 0, 10);
      h.add('left', 1, 20);
      expect(h.task.process(ALL)).toBe(2);
      expect(h.seen).toEqual(['L10', 'L20']);
      expect(h.asked.size).toBe(0); // never asks for lags
    }
  });

  it('should wait while an empty partition has an unknown or a positive lag, and process once it is caught up', () => {
    const h = harness(0);
    h.add('left', 0, 10);
    expect(h.task.process(ALL)).toBe(0); // right: lag unknown (no fetch yet)
    h.lags.set('right', 5);
    expect(h.task.process(ALL)).toBe(0); // right: records known to be on the broker
    expect(h.asked.get('right')).toBe(-1); // nothing received from right yet
    h.lags.set('right', 0);
    expect(h.task.process(ALL)).toBe(1); // caught up, maxTaskIdleMs 0: enforced processing at once
    expect(h.seen).toEqual(['L10']);
  });

  it('should process in timestamp order across partitions, stopping when one drains while it still has lag', () => {
    const h = harness(0);
    h.lags.set('left', 0);
    h.lags.set('right', 3);
    for (const [o, ts] of [10, 30, 50, 70].entries()) h.add('left', o, ts);
    for (const [o, ts] of [20, 40].entries()) h.add('right', o, ts);
    // L10 R20 L30 R40, then right is empty with lag: L50 must wait for the right records still to come.
    expect(h.task.process(ALL)).toBe(4);
    expect(h.seen).toEqual(['L10', 'R20', 'L30', 'R40']);
    expect(h.asked.get('right')).toBe(2); // the offset after the last record right gave
    h.add('right', 2, 45);
    h.add('right', 3, 60);
    h.lags.set('right', 0);
    expect(h.task.process(ALL)).toBe(4);
    // right is caught up and empty after R60: L70 goes (idle time 0).
    expect(h.seen).toEqual(['L10', 'R20', 'L30', 'R40', 'R45', 'L50', 'R60', 'L70']);
  });

  it('should wait maxTaskIdleMs from the moment a partition is found caught up and empty, then process', () => {
    const h = harness(100);
    h.lags.set('right', 0);
    h.add('left', 0, 10);
    expect(h.task.process(ALL)).toBe(0); // idling starts now (t=1000), ends at 1100
    h.clock.now = 1099;
    expect(h.task.process(ALL)).toBe(0);
    h.clock.now = 1100;
    expect(h.task.process(ALL)).toBe(1);
    expect(h.seen).toEqual(['L10']);
  });

  it('should restart the idle time once the partition has had data again', () => {
    const h = harness(100);
    h.lags.set('right', 0);
    h.add('left', 0, 10);
    expect(h.task.process(ALL)).toBe(0); // deadline 1100
    h.clock.now = 1050;
    h.add('right', 0, 5); // data: the deadline is dropped
    expect(h.task.process(ALL)).toBe(1); // R5 (left still has L10; right is now empty and caught up: idle anew)
    expect(h.seen).toEqual(['R5']);
    h.clock.now = 1100;
    expect(h.task.process(ALL)).toBe(0); // the new deadline is 1150, not the old 1100
    h.clock.now = 1150;
    expect(h.task.process(ALL)).toBe(1);
    expect(h.seen).toEqual(['R5', 'L10']);
  });

  it('should not idle when every partition has data, nor take anything when none has', () => {
    const h = harness(1_000_000);
    expect(h.task.process(ALL)).toBe(0);
    h.add('left', 0, 10);
    h.add('right', 0, 20);
    expect(h.task.process(1)).toBe(1); // both buffered: no lag asked, no wait
    expect(h.asked.size).toBe(0);
    expect(h.seen).toEqual(['L10']);
  });

  it('should never make a task with a single input partition wait', () => {
    const h = harness(1_000_000, ['only']);
    h.add('only', 0, 10);
    expect(h.task.process(ALL)).toBe(1);
    expect(h.asked.size).toBe(0);
  });

  it('should forget the fetched position when the queues are cleared (a rewind), so a stale one cannot count', () => {
    const h = harness(0);
    h.lags.set('right', 7);
    h.add('right', 6, 1);
    h.add('left', 0, 10);
    expect(h.task.process(ALL)).toBe(1); // R1, then right is empty with lag
    expect(h.asked.get('right')).toBe(7);
    h.task.abortUncommitted();
    h.add('left', 0, 10);
    expect(h.task.process(ALL)).toBe(0);
    expect(h.asked.get('right')).toBe(-1);
  });
});
