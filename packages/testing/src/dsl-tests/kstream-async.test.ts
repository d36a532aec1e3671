import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncProcessingError, Headers, ProcessingError, TopologyError } from '@kaskade/processor-api';
import type { AsyncProcessor, ProcessorContext, Record } from '@kaskade/processor-api';
import {
  DeadLetterHeaders,
  LogAndContinueExceptionHandler,
  LogAndFailExceptionHandler,
  Serdes,
  Topology,
  asyncProcessor,
} from '@kaskade/core';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import type { TopologyTestDriverConfig } from '../driver/topology-test-driver.js';
import { S } from './dsl-test-helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function start(topology: Topology, config: TopologyTestDriverConfig = {}): TopologyTestDriver {
  driver = new TopologyTestDriver(topology, { initialWallClockTimeMs: 0, ...config });
  return driver;
}

/** Counts calls in flight overall and per key, remembering the highest counts seen. */
class Concurrency {
  now = 0;
  max = 0;
  readonly perKey = new Map<string, number>();
  maxPerKey = 0;

  async run<T>(key: string, body: () => Promise<T>): Promise<T> {
    this.now++;
    this.max = Math.max(this.max, this.now);
    const k = (this.perKey.get(key) ?? 0) + 1;
    this.perKey.set(key, k);
    this.maxPerKey = Math.max(this.maxPerKey, k);
    try {
      return await body();
    } finally {
      this.now--;
      this.perKey.set(key, this.perKey.get(key)! - 1);
    }
  }
}

describe('asynchronous operators (TopologyTestDriver)', () => {
  it('should keep per-key input order, run one call per key at a time, and use the concurrency across keys', async () => {
    const c = new Concurrency();
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .mapValuesAsync(
        (v, k) =>
          c.run(k, async () => {
            // Later records of a key often finish faster: only the runtime keeps them in order.
            await sleep(Number(v.split('-')[1]) % 3 === 0 ? 15 : 1 + Math.floor(Math.random() * 5));
            return `${v}!`;
          }),
        { concurrency: 8 },
      )
      .to('out', Produced.with(S, S));
    const d = start(builder.build());
    const input = d.createInputTopic('in', S, S);
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    for (let n = 0; n < 10; n++) for (const k of keys) input.pipeInput(k, `${k}-${n}`, n);
    await d.settle();
    const out = d.createOutputTopic('out', S, S).readKeyValuesToList();
    expect(out).toHaveLength(200);
    for (const k of keys) {
      expect(out.filter((r) => r.key === k).map((r) => r.value)).toEqual(
        Array.from({ length: 10 }, (_, n) => `${k}-${n}!`),
      );
    }
    expect(c.maxPerKey).toBe(1);
    expect(c.max).toBe(8);
    expect(d.asyncInFlight).toBe(0);
  });

  it('should forward results with the input record context: timestamp, headers, topic, partition and offset', async () => {
    const seen: { value: string; ts: number; header: string | undefined; offset: number | undefined }[] = [];
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .addProcessor(
        'lookup',
        asyncProcessor<string, string, string, string>(() => ({
          process: async (r) => {
            await sleep(r.value === 'slow' ? 20 : 1);
            return [r.withValue(r.value.toUpperCase())];
          },
        })),
        'src',
      )
      .addProcessor(
        'after',
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (context: ProcessorContext<string, string>) => (ctx = context),
            process: (r: Record<string, string>) => {
              seen.push({
                value: r.value,
                ts: r.timestamp,
                header: r.headers.lastString('h'),
                offset: ctx.recordMetadata()?.offset,
              });
              ctx.forward(r);
            },
          };
        },
        'lookup',
      )
      .addSink('out', 'out', { keySerde: Serdes.String(), valueSerde: Serdes.String() }, 'after');
    const d = start(topology);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', 'slow', 100, Headers.of([{ key: 'h', value: 'one' }]));
    input.pipeInput('b', 'fast', 200, Headers.of([{ key: 'h', value: 'two' }]));
    await d.settle();
    expect(seen).toEqual([
      { value: 'FAST', ts: 200, header: 'two', offset: 1 },
      { value: 'SLOW', ts: 100, header: 'one', offset: 0 },
    ]);
    const out = d.createOutputTopic('out', S, S).readRecordsToList();
    expect(out.map((r) => [r.value, r.timestamp])).toEqual([
      ['FAST', 200],
      ['SLOW', 100],
    ]);
  });

  it('should retry with backoff and forward the first successful attempt', async () => {
    const attempts: { n: number; at: number }[] = [];
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .mapValuesAsync(
        async (v, _k, attempt) => {
          attempts.push({ n: attempt.attempt, at: Date.now() });
          if (attempt.attempt < 3) throw new Error(`flaky ${attempt.attempt}`);
          return `${v} on attempt ${attempt.attempt}`;
        },
        { retries: 3, backoff: { initialMs: 30, multiplier: 2 } },
      )
      .to('out', Produced.with(S, S));
    const d = start(builder.build());
    d.createInputTopic('in', S, S).pipeInput('k', 'v');
    await d.settle();
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['v on attempt 3']);
    expect(attempts.map((a) => a.n)).toEqual([1, 2, 3]);
    // 30 ms before the first retry, 60 ms before the second (timers may fire a millisecond early).
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(29);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(59);
  });

  it('should send a record that fails every attempt to the dead-letter topic with the error, and go on with the others', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .mapValuesAsync(
        async (v, k) => {
          if (k === 'bad') throw new Error(`service refused ${v}`);
          return v.toUpperCase();
        },
        { retries: 2, backoff: { initialMs: 1 } },
      )
      .to('out', Produced.with(S, S));
    const d = start(builder.build(), {
      processingExceptionHandler: new LogAndContinueExceptionHandler({ logger: quiet, deadLetterQueueTopic: 'dlq' }),
    });
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('good', 'a');
    input.pipeInput('bad', 'b');
    input.pipeInput('good', 'c');
    await d.settle();
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['A', 'C']);
    const dead = d.createOutputTopic('dlq', S, S).readRecordsToList();
    expect(dead.map((r) => [r.key, r.value])).toEqual([['bad', 'b']]);
    const headers = dead[0]!.headers;
    expect(headers.lastString(DeadLetterHeaders.EXCEPTION)).toBe('AsyncProcessingError');
    expect(headers.lastString(DeadLetterHeaders.MESSAGE)).toContain('failed after 3 attempts');
    expect(headers.lastString(DeadLetterHeaders.MESSAGE)).toContain('service refused b');
    expect(headers.lastString(DeadLetterHeaders.OFFSET)).toBe('1');
    expect(d.metrics().skippedRecords).toBe(1);
  });

  it('should abort an attempt that exceeds timeoutMs and, by default, fail with the cause', async () => {
    let aborted: unknown;
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .mapValuesAsync(
        (_v, _k, { signal }) =>
          new Promise<string>((_resolve, reject) =>
            signal.addEventListener('abort', () => {
              aborted = signal.reason;
              reject(signal.reason as Error);
            }),
          ),
        { timeoutMs: 20 },
      )
      .to('out', Produced.with(S, S));
    const d = start(builder.build(), { processingExceptionHandler: new LogAndFailExceptionHandler({ logger: quiet }) });
    d.createInputTopic('in', S, S).pipeInput('k', 'v');
    const failure = await d.settle().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ProcessingError);
    const cause = (failure as Error).cause;
    expect(cause).toBeInstanceOf(AsyncProcessingError);
    expect((cause as Error).message).toContain('did not complete within 20 ms');
    expect((aborted as Error).message).toContain('did not complete within 20 ms');
  });

  it('should filter and flat-map asynchronously, keeping the value serde after filterAsync', async () => {
    const builder = new StreamsBuilder();
    const input = builder.stream('in', Consumed.with(S, S));
    input.filterAsync(async (_k, v) => v.length > 1).to('long');
    input.flatMapValuesAsync(async (v) => v.split('')).to('letters', Produced.with(S, S));
    const d = start(builder.build());
    const topic = d.createInputTopic('in', S, S);
    topic.pipeInput('k', 'a');
    topic.pipeInput('k', 'bc');
    await d.settle();
    expect(d.createOutputTopic('long', S, S).readValuesToList()).toEqual(['bc']);
    expect(d.createOutputTopic('letters', S, S).readValuesToList()).toEqual(['a', 'b', 'c']);
  });

  it('should stop taking input while the operator holds maxInFlight records, and take it when there is room', async () => {
    let release: () => void = () => undefined;
    let gate = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .mapValuesAsync(
        async (v) => {
          started.push(v);
          await gate;
          return v;
        },
        { concurrency: 2, maxInFlight: 4 },
      )
      .to('out', Produced.with(S, S));
    const d = start(builder.build());
    const input = d.createInputTopic('in', S, S);
    for (let i = 0; i < 10; i++) input.pipeInput(`k${i}`, `v${i}`);
    expect(d.asyncInFlight).toBe(4);
    expect(started).toEqual(['v0', 'v1']);
    release();
    gate = Promise.resolve();
    await d.settle();
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`));
  });

  it('should reject invalid settings when the operator is defined, naming the setting', () => {
    const builder = new StreamsBuilder();
    const stream = builder.stream('in', Consumed.with(S, S));
    expect(() => stream.mapValuesAsync(async (v) => v, { concurrency: 0 })).toThrow(TopologyError);
    expect(() => stream.mapValuesAsync(async (v) => v, { concurrency: 0 })).toThrow(
      /concurrency must be an integer >= 1, got 0/,
    );
    expect(() => stream.filterAsync(async () => true, { timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => stream.filterAsync(async () => true, { retries: 1.5 })).toThrow(/retries/);
  });

  it('should run an AsyncProcessor of the Processor API that forwards several records or none', async () => {
    const splitter: AsyncProcessor<string, string, string, string> = {
      process: async (r) =>
        r.value
          .split(',')
          .filter(Boolean)
          .map((part) => r.withValue(part)),
    };
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .addProcessor(
        'split',
        asyncProcessor(() => splitter, { concurrency: 4 }),
        'src',
      )
      .addSink('out', 'out', { keySerde: Serdes.String(), valueSerde: Serdes.String() }, 'split');
    const d = start(topology);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'a,b');
    input.pipeInput('k', '');
    input.pipeInput('k', 'c');
    await d.settle();
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['a', 'b', 'c']);
  });
});
