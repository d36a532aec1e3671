import { afterEach, describe, expect, it } from 'vitest';
import { PunctuationType } from '@kaskade/processor-api';
import type { ProcessorContext } from '@kaskade/processor-api';
import { Serdes, Topology } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import { TopologyTestDriver } from './topology-test-driver.js';
import { counting, mapper } from './driver-test-processors.js';

const S = Serdes.String();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

describe('TopologyTestDriver with the Processor API', () => {
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
});
