import { afterEach, describe, expect, it } from 'vitest';
import { Headers, ProcessingError, SerializationError } from '@kaskade/processor-api';
import { Serdes, Topology, silentLogger } from '@kaskade/core';
import { TopologyTestDriver } from './topology-test-driver.js';
import { mapper } from './driver-test-processors.js';

const S = Serdes.String();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

describe('TopologyTestDriver with the Processor API', () => {
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
});
