import { afterEach, describe, expect, it } from 'vitest';
import {
  Headers,
  ProcessingError,
  PunctuationType,
  Record,
  SerializationError,
  TopologyError,
} from '@kaskade/processor-api';
import type { KeyValueStore, Processor, ProcessorContext } from '@kaskade/processor-api';
import { Serdes, Topology, silentLogger } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import { TopologyTestDriver } from './topology-test-driver.js';

const S = Serdes.String();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** A processor from a function: forwards whatever `fn` returns (nothing when undefined). */
function mapper<K, V, KO, VO>(fn: (r: Record<K, V>) => Record<KO, VO> | undefined): () => Processor<K, V, KO, VO> {
  return () => {
    let ctx: ProcessorContext<KO, VO>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r) => {
        const out = fn(r);
        if (out) ctx.forward(out);
      },
    };
  };
}

function counting(): Processor<string, string, string, number> {
  let ctx: ProcessorContext<string, number>;
  let store: KeyValueStore<string, number>;
  return {
    init(c) {
      ctx = c;
      store = c.getStateStore<KeyValueStore<string, number>>('counts');
    },
    process(r) {
      const n = (store.get(r.key) ?? 0) + 1;
      store.put(r.key, n);
      ctx.forward(r.withValue(n));
    },
  };
}

describe('TopologyTestDriver with the Processor API', () => {
  it('should pass records through processors to a sink, keeping timestamps and headers', () => {
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor(
        'filter',
        mapper<string, string, string, string>((r) => (r.value.startsWith('x') ? undefined : r)),
        'src',
      )
      .addProcessor(
        'upper',
        mapper<string, string, string, string>((r) => r.withValue(r.value.toUpperCase())),
        'filter',
      )
      .addSink('out', 'out', { keySerde: S, valueSerde: S }, 'upper');
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    const output = driver.createOutputTopic('out', S, S);
    input.pipeInput('a', 'hello', 1000, Headers.of([{ key: 'trace', value: 't1' }]));
    input.pipeInput('b', 'xdrop', 2000);
    input.pipeInput('c', 'world', 3000);
    const records = output.readRecordsToList();
    expect(records.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'HELLO', 1000],
      ['c', 'WORLD', 3000],
    ]);
    expect(records[0]!.headers.lastString('trace')).toBe('t1');
    expect(output.isEmpty()).toBe(true);
  });

  it('should forward to a named child only', () => {
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor(
        'router',
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (c: ProcessorContext<string, string>) => (ctx = c),
            process: (r: Record<string, string>) => ctx.forward(r, r.value === 'even' ? 'even-sink' : 'odd-sink'),
          };
        },
        'src',
      )
      .addSink('even-sink', 'even', { keySerde: S, valueSerde: S }, 'router')
      .addSink('odd-sink', 'odd', { keySerde: S, valueSerde: S }, 'router');
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('1', 'odd', 0);
    input.pipeInput('2', 'even', 0);
    input.pipeInput('3', 'odd', 0);
    expect(driver.createOutputTopic('even', S, S).readKeyValuesToList()).toEqual([{ key: '2', value: 'even' }]);
    expect(driver.createOutputTopic('odd', S, S).readValuesToList()).toEqual(['odd', 'odd']);
  });

  it('should choose the output topic per record with a topic name extractor', () => {
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addSink('out', (_k: string, v: string) => `out-${v}`, { keySerde: S, valueSerde: S }, 'src');
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k1', 'red', 0);
    input.pipeInput('k2', 'blue', 0);
    expect(driver.createOutputTopic('out-red', S, S).readKeyValuesToList()).toEqual([{ key: 'k1', value: 'red' }]);
    expect(driver.createOutputTopic('out-blue', S, S).readKeyValuesToList()).toEqual([{ key: 'k2', value: 'blue' }]);
  });

  it('should fire STREAM_TIME punctuation as stream time advances, not with the wall clock', () => {
    const fired: number[] = [];
    const topology = new Topology().addSource('src', 'in', { keySerde: S, valueSerde: S }).addProcessor(
      'p',
      () => ({
        init: (c: ProcessorContext) => void c.schedule(1000, PunctuationType.STREAM_TIME, (ts) => fired.push(ts)),
        process: () => undefined,
      }),
      'src',
    );
    driver = new TopologyTestDriver(topology, { initialWallClockTimeMs: 0 });
    const input = driver.createInputTopic('in', S, S);
    expect(fired).toEqual([]);
    // Aligned to 0, as in Kafka Streams: the first record fires it.
    input.pipeInput('k', 'v', 500);
    expect(fired).toEqual([500]);
    driver.advanceWallClockTime(10_000);
    expect(fired).toEqual([500]);
    input.pipeInput('k', 'v', 999);
    expect(fired).toEqual([500]);
    input.pipeInput('k', 'v', 1000);
    expect(fired).toEqual([500, 1000]);
    input.pipeInput('k', 'v', 1500);
    // An out-of-order record does not move stream time back.
    input.pipeInput('k', 'v', 200);
    expect(fired).toEqual([500, 1000]);
    // Jumping several intervals fires once, at the new stream time; the next is the following multiple.
    input.pipeInput('k', 'v', 4200);
    expect(fired).toEqual([500, 1000, 4200]);
    input.pipeInput('k', 'v', 4999);
    input.pipeInput('k', 'v', 5000);
    expect(fired).toEqual([500, 1000, 4200, 5000]);
  });

  it('should fire WALL_CLOCK_TIME punctuation when the wall clock advances, and stop after cancel', () => {
    const fired: number[] = [];
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor(
        'p',
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (c: ProcessorContext<string, string>) => {
              ctx = c;
              const handle = c.schedule(100, PunctuationType.WALL_CLOCK_TIME, (ts) => {
                fired.push(ts);
                ctx.forward(new Record('tick', String(ts), ts));
                if (fired.length === 3) handle.cancel();
              });
            },
            process: () => undefined,
          };
        },
        'src',
      )
      .addSink('out', 'ticks', { keySerde: S, valueSerde: S }, 'p');
    driver = new TopologyTestDriver(topology, { initialWallClockTimeMs: 10_000 });
    driver.advanceWallClockTime(50);
    expect(fired).toEqual([]);
    driver.advanceWallClockTime(50);
    expect(fired).toEqual([10_100]);
    driver.advanceWallClockTime(100);
    driver.advanceWallClockTime(100);
    driver.advanceWallClockTime(100);
    expect(fired).toEqual([10_100, 10_200, 10_300]);
    expect(driver.createOutputTopic('ticks', S, S).readValuesToList()).toEqual(['10100', '10200', '10300']);
  });

  it('should give processors their connected stores and let tests read them', () => {
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor('count', counting, 'src')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), S, Serdes.Int64()), 'count')
      .addSink('out', 'counts-out', { keySerde: S, valueSerde: Serdes.Int64() }, 'count');
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    for (const w of ['a', 'b', 'a', 'a', 'c', 'b']) input.pipeInput(w, w, 0);
    expect(driver.createOutputTopic('counts-out', S, Serdes.Int64()).readKeyValuesToMap()).toEqual(
      new Map([
        ['a', 3],
        ['b', 2],
        ['c', 1],
      ]),
    );
    const store = driver.getKeyValueStore<string, number>('counts')!;
    expect(store.get('a')).toBe(3);
    expect([...store.all()].map((kv) => [kv.key, kv.value])).toEqual([
      ['a', 3],
      ['b', 2],
      ['c', 1],
    ]);
    // The store's changes went to its changelog topic.
    expect(driver.producedTopicNames()).toContain('test-driver-counts-changelog');
  });

  it('should refuse a store the processor was not connected to, naming both', () => {
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor('count', counting, 'src')
      .addProcessor(
        'other',
        mapper((r) => r),
        'src',
      )
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, Serdes.Int64()), 'other');
    expect(() => new TopologyTestDriver(topology)).toThrowError(/processor "count" has no access to store "counts"/);
  });

  it('should expose record metadata while processing and none in a punctuation', () => {
    const seen: unknown[] = [];
    const topology = new Topology().addSource('src', 'in', { keySerde: S, valueSerde: S }).addProcessor(
      'p',
      () => {
        let ctx: ProcessorContext;
        return {
          init: (c: ProcessorContext) => {
            ctx = c;
            c.schedule(10, PunctuationType.WALL_CLOCK_TIME, () => seen.push(ctx.recordMetadata()));
          },
          process: () =>
            seen.push({ ...ctx.recordMetadata()!, streamTime: ctx.currentStreamTimeMs(), task: ctx.taskId }),
        };
      },
      'src',
    );
    driver = new TopologyTestDriver(topology, { initialWallClockTimeMs: 0 });
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'v', 42);
    input.pipeInput('k', 'v', 7);
    driver.advanceWallClockTime(10);
    expect(seen).toEqual([
      { topic: 'in', partition: 0, offset: 0, streamTime: 42, task: { subtopology: 0, partition: 0 } },
      { topic: 'in', partition: 0, offset: 1, streamTime: 42, task: { subtopology: 0, partition: 0 } },
      null,
    ]);
  });

  it('should fail on a record that cannot be deserialized, naming topic, partition and offset', () => {
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: Serdes.Json() })
      .addSink('out', 'out', { keySerde: S, valueSerde: Serdes.Json() }, 'src');
    driver = new TopologyTestDriver(topology, { logger: silentLogger });
    const input = driver.createInputTopic('in', S, Serdes.Json());
    input.pipeInput('ok', { a: 1 }, 0);
    let error: unknown;
    try {
      input.pipeRaw(Buffer.from('bad'), Buffer.from('{not json'), 0);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).context).toMatchObject({ topic: 'in', partition: 0, offset: 1 });
    expect((error as Error).message).toMatch(/in-0@1/);
  });

  it('should skip and count undeserializable records with logAndContinue, and dead-letter them when configured', () => {
    const topology = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: Serdes.Json() })
      .addSink('out', 'out', { keySerde: S, valueSerde: Serdes.Json() }, 'src');
    driver = new TopologyTestDriver(topology, {
      deserializationExceptionHandler: 'logAndContinue',
      deadLetterQueueTopic: 'in-dlq',
      logger: silentLogger,
    });
    const input = driver.createInputTopic('in', S, Serdes.Json());
    input.pipeInput('a', { n: 1 }, 0);
    input.pipeRaw(Buffer.from('poison'), Buffer.from('{nope'), 5, Headers.of([{ key: 'origin', value: 'test' }]));
    input.pipeInput('b', { n: 2 }, 0);
    expect(driver.createOutputTopic('out', S, Serdes.Json()).readKeyValuesToList()).toEqual([
      { key: 'a', value: { n: 1 } },
      { key: 'b', value: { n: 2 } },
    ]);
    const dlq = driver.createOutputTopic('in-dlq', Serdes.Bytes(), Serdes.Bytes()).readRecordsToList();
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.key?.toString()).toBe('poison');
    expect(dlq[0]!.value?.toString()).toBe('{nope');
    expect(dlq[0]!.headers.lastString('origin')).toBe('test');
    expect(dlq[0]!.headers.lastString('__streams.errors.topic')).toBe('in');
    expect(dlq[0]!.headers.lastString('__streams.errors.partition')).toBe('0');
    expect(dlq[0]!.headers.lastString('__streams.errors.offset')).toBe('1');
    expect(dlq[0]!.headers.lastString('__streams.errors.exception')).toBeTruthy();
    expect(driver.metrics()).toMatchObject({ skippedRecords: 1, deadLettered: 1, processed: 2 });
  });

  it('should fail with the node name when a processor throws, or skip with logAndContinue', () => {
    const build = () =>
      new Topology()
        .addSource('src', 'in', { keySerde: S, valueSerde: S })
        .addProcessor(
          'explode',
          mapper<string, string, string, string>((r) => {
            if (r.value === 'boom') throw new Error('kaboom');
            return r;
          }),
          'src',
        )
        .addSink('out', 'out', { keySerde: S, valueSerde: S }, 'explode');
    driver = new TopologyTestDriver(build(), { logger: silentLogger });
    const input = driver.createInputTopic('in', S, S);
    expect(() => input.pipeInput('k', 'boom', 0)).toThrowError(ProcessingError);
    expect(() => input.pipeInput('k', 'boom', 0)).toThrowError(/processor "explode" failed on record in-0@1.*kaboom/);
    driver.close();
    driver = new TopologyTestDriver(build(), {
      processingExceptionHandler: 'logAndContinue',
      logger: silentLogger,
    });
    const again = driver.createInputTopic('in', S, S);
    again.pipeInput('k', 'fine', 0);
    again.pipeInput('k', 'boom', 0);
    again.pipeInput('k', 'fine too', 0);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['fine', 'fine too']);
    expect(driver.metrics().skippedRecords).toBe(1);
  });

  it('should carry records through an internal repartition topic into a second sub-topology', () => {
    const topology = new Topology()
      .addInternalTopic('by-value-repartition')
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor(
        'rekey',
        mapper<string, string, string, string>((r) => r.withKey(r.value)),
        'src',
      )
      .addSink('to-repartition', 'by-value-repartition', { keySerde: S, valueSerde: S }, 'rekey')
      .addSource('from-repartition', 'by-value-repartition', { keySerde: S, valueSerde: S })
      .addProcessor('count', counting, 'from-repartition')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, Serdes.Int64()), 'count')
      .addSink('out', 'out', { keySerde: S, valueSerde: Serdes.Int64() }, 'count');
    expect(topology.subtopologies()).toHaveLength(2);
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('1', 'x', 0);
    input.pipeInput('2', 'y', 0);
    input.pipeInput('3', 'x', 0);
    expect(driver.createOutputTopic('out', S, Serdes.Int64()).readKeyValuesToList()).toEqual([
      { key: 'x', value: 1 },
      { key: 'y', value: 1 },
      { key: 'x', value: 2 },
    ]);
    expect(driver.producedTopicNames()).toContain('test-driver-by-value-repartition');
  });
});

describe('Topology', () => {
  it('should refuse malformed graphs with a TopologyError naming the node', () => {
    const t = new Topology().addSource('src', 'in');
    expect(() => t.addSource('src', 'other')).toThrowError(/a node named "src" already exists/);
    expect(() => t.addSource('src2', 'in')).toThrowError(/topic "in" is already read by source "src"/);
    expect(() =>
      t.addProcessor(
        'p',
        mapper((r) => r),
        'nope',
      ),
    ).toThrowError(/"p" names unknown parent "nope"/);
    expect(() =>
      t.addProcessor(
        'p',
        mapper((r) => r),
      ),
    ).toThrowError(/"p" needs at least one parent/);
    t.addSink('sink', 'out', {}, 'src');
    expect(() =>
      t.addProcessor(
        'q',
        mapper((r) => r),
        'sink',
      ),
    ).toThrowError(/sinks have no children/);
    expect(() => t.connectProcessorAndStateStores('missing', 'store')).toThrowError(TopologyError);
    t.addProcessor(
      'p',
      mapper((r) => r),
      'src',
    );
    expect(() => t.connectProcessorAndStateStores('p', 'nostore')).toThrowError(/unknown store "nostore"/);
    expect(() =>
      t.addProcessor(
        'bad name!',
        mapper((r) => r),
        'src',
      ),
    ).toThrowError(/may only contain/);
  });

  it("should describe itself in Kafka Streams' text format", () => {
    const topology = new Topology()
      .addSource('KSTREAM-SOURCE-0000000000', 'input')
      .addProcessor(
        'KSTREAM-FILTER-0000000001',
        mapper((r) => r),
        'KSTREAM-SOURCE-0000000000',
      )
      .addStateStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('store'), S, S),
        'KSTREAM-FILTER-0000000001',
      )
      .addSink('KSTREAM-SINK-0000000002', 'output', {}, 'KSTREAM-FILTER-0000000001')
      .addSource('other-source', 'other');
    expect(topology.describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])',
        '      --> KSTREAM-FILTER-0000000001',
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [store])',
        '      --> KSTREAM-SINK-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Sink: KSTREAM-SINK-0000000002 (topic: output)',
        '      <-- KSTREAM-FILTER-0000000001',
        '',
        '  Sub-topology: 1',
        '    Source: other-source (topics: [other])',
        '      --> none',
        '',
        '',
      ].join('\n'),
    );
  });
});
