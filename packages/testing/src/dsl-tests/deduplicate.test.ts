import { afterEach, describe, expect, it } from 'vitest';
import { PunctuationType, Record } from '@kaskade/processor-api';
import type { ProcessorContext, WindowStore } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import type { KStream } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { S } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function start(builder: StreamsBuilder): TopologyTestDriver {
  driver = new TopologyTestDriver(builder.build(), { initialWallClockTimeMs: 0 });
  return driver;
}

function input(builder: StreamsBuilder): KStream<string, string> {
  return builder.stream('in', Consumed.with(S, S));
}

describe('KStream.deduplicate', () => {
  it('should forward the first record of a key and drop and count later copies within the retention', () => {
    const builder = new StreamsBuilder();
    input(builder).deduplicate({ retentionMs: 1000, name: 'dedup' }).to('out', Produced.with(S, S));
    const d = start(builder);
    const topic = d.createInputTopic('in', S, S);
    topic.pipeInput('a', 'a-1', 100);
    topic.pipeInput('b', 'b-1', 200);
    topic.pipeInput('a', 'a-2', 600);
    topic.pipeInput('a', 'a-3', 1099); // 999 ms after the first: still within
    topic.pipeInput('b', 'b-2', 50); // out of order, 150 ms before the first: a copy too
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'a', value: 'a-1' },
      { key: 'b', value: 'b-1' },
    ]);
    expect(d.metrics().droppedByReason).toEqual({ duplicate: 3 });
    expect(d.metrics().processed).toBe(5);
  });

  it('should forward a key again once its first occurrence is retentionMs or more in the past, and expire old ids', () => {
    const builder = new StreamsBuilder();
    input(builder).deduplicate({ retentionMs: 1000, name: 'dedup' }).to('out', Produced.with(S, S));
    const d = start(builder);
    const topic = d.createInputTopic('in', S, S);
    topic.pipeInput('a', 'a-1', 100);
    topic.pipeInput('a', 'a-2', 1100); // exactly retentionMs later: no longer a duplicate
    topic.pipeInput('a', 'a-3', 1500); // within 1000 of a-2, which replaced a-1 as the id's occurrence
    topic.pipeInput('z', 'z-1', 5000); // moves stream time far on: the ids of "a" expire
    topic.pipeInput('a', 'a-4', 4500); // 3400 after a-2: forwarded
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['a-1', 'a-2', 'z-1', 'a-4']);
    expect(d.metrics().droppedByReason).toEqual({ duplicate: 1 });
    const store = d.getWindowStore<string, number>('dedup-store')!;
    // Ids older than stream time - retention are gone from the store: what it holds stays bounded.
    expect([...store.fetch('a', 0, 10_000)].map((kv) => kv.key)).toEqual([4500]);
    expect([...store.fetch('z', 0, 10_000)].map((kv) => kv.key)).toEqual([5000]);
  });

  it('should deduplicate by an id selected from the value, with its own serde', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, Serdes.Json<{ orderId: number; n: number }>()))
      .deduplicate((_k, v) => v.orderId, { retentionMs: 10_000, idSerde: Serdes.Int32() })
      .mapValues((v) => `${v.orderId}:${v.n}`)
      .to('out', Produced.with(S, S));
    const d = start(builder);
    const topic = d.createInputTopic('in', S, Serdes.Json<{ orderId: number; n: number }>());
    topic.pipeInput('k1', { orderId: 7, n: 1 }, 10);
    topic.pipeInput('k2', { orderId: 7, n: 2 }, 20); // another key, same id: a duplicate
    topic.pipeInput('k1', { orderId: 8, n: 3 }, 30);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['7:1', '8:3']);
    expect(d.metrics().droppedByReason).toEqual({ duplicate: 1 });
  });

  it('should forward records without an id (null key) and not remember them', () => {
    const builder = new StreamsBuilder();
    input(builder).deduplicate({ retentionMs: 1000 }).to('out', Produced.with(S, S));
    const d = start(builder);
    const topic = d.createInputTopic('in', S, S);
    topic.pipeInput(null, 'n-1', 10);
    topic.pipeInput(null, 'n-2', 20);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['n-1', 'n-2']);
    expect(d.metrics().droppedByReason).toEqual({});
  });

  it('should key the sourceOffset variant by topic/partition/offset: equal records pass, the same source record once', () => {
    const builder = new StreamsBuilder();
    const s = input(builder);
    // The same source record reaches the trigger twice (two paths merged): it must act once.
    s.merge(s.mapValues((v) => v))
      .deduplicate('sourceOffset', { retentionMs: 60_000, name: 'trigger' })
      .to('out', Produced.with(S, S));
    const d = start(builder);
    const topic = d.createInputTopic('in', S, S);
    topic.pipeInput('a', 'same', 10);
    topic.pipeInput('a', 'same', 10); // equal key, value and time, but another offset: not a copy
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['same', 'same']);
    expect(d.metrics().droppedByReason).toEqual({ duplicate: 2 });
    const store = d.getWindowStore<string, number>('trigger-store')!;
    expect([...store.fetch('in/0/0', 0, 100)].map((kv) => kv.value)).toEqual([10]);
    expect([...store.fetch('in/0/1', 0, 100)].map((kv) => kv.value)).toEqual([10]);
  });

  it('should forward records without source metadata in the sourceOffset variant (punctuation output)', () => {
    const builder = new StreamsBuilder();
    input(builder)
      .process<string, string>(() => {
        let context: ProcessorContext<string, string>;
        return {
          init(c: ProcessorContext<string, string>) {
            context = c;
            c.schedule(100, PunctuationType.WALL_CLOCK_TIME, () => {
              context.forward(new Record('tick', 'tick-1', 1));
              context.forward(new Record('tick', 'tick-2', 1));
            });
          },
          process() {},
        };
      })
      .deduplicate('sourceOffset', { retentionMs: 60_000 })
      .to('out', Produced.with(S, S));
    const d = start(builder);
    d.advanceWallClockTime(100);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['tick-1', 'tick-2']);
  });

  it('should repartition before deduplicating by key when the key was changed, so that copies meet', () => {
    const builder = new StreamsBuilder();
    input(builder)
      .selectKey((_k, v) => v.split(':')[0]!)
      .deduplicate({ retentionMs: 1000, name: 'by-user', idSerde: S })
      .to('out', Produced.with(S, S));
    const topology = builder.build();
    const description = topology.describe().toString();
    expect(description).toContain('by-user-repartition');
    driver = new TopologyTestDriver(topology, { initialWallClockTimeMs: 0 });
    const topic = driver.createInputTopic('in', S, S);
    topic.pipeInput('1', 'ann:x', 10);
    topic.pipeInput('2', 'ann:y', 20);
    topic.pipeInput('3', 'bob:z', 30);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'ann', value: 'ann:x' },
      { key: 'bob', value: 'bob:z' },
    ]);
  });

  it('should keep the ids in a changelogged window store with the retention', () => {
    const builder = new StreamsBuilder();
    input(builder).deduplicate({ retentionMs: 5000, name: 'ids' }).to('out', Produced.with(S, S));
    const d = start(builder);
    const store = d.getWindowStore<string, number>('ids-store') as WindowStore<string, number> & {
      readonly retentionMs?: number;
    };
    expect(store).toBeDefined();
    d.createInputTopic('in', S, S).pipeInput('a', 'x', 10);
    expect(store.fetch('a', 10)).toBe(10);
    expect(d.producedTopicNames()).toContain('test-driver-ids-store-changelog');
  });

  it('should refuse bad options with a clear error', () => {
    const stream = () => input(new StreamsBuilder());
    expect(() => stream().deduplicate({ retentionMs: 0 })).toThrow(/retentionMs must be an integer >= 1/);
    expect(() => stream().deduplicate({ retentionMs: 1.5 })).toThrow(/retentionMs/);
    expect(() => stream().deduplicate(undefined as never)).toThrow(/needs options with retentionMs/);
    expect(() => stream().deduplicate('offset' as never, { retentionMs: 10 })).toThrow(
      /the id must be a function \(key, value\) => id or 'sourceOffset', got offset/,
    );
    expect(() => stream().deduplicate('sourceOffset', { retentionMs: 10, idSerde: S } as never)).toThrow(/idSerde/);
    expect(() => stream().deduplicate({ retentionMs: 10, storeType: 'disk' as never })).toThrow(/storeType/);
  });
});
