import { afterEach, describe, expect, it } from 'vitest';
import { Headers, ProductionError } from '@kaskade/processor-api';
import type { Serde } from '@kaskade/processor-api';
import { Serdes, Topology, silentLogger } from '@kaskade/core';
import type { HandlerResponse, ProductionErrorContext, ProductionExceptionHandler } from '@kaskade/core';
import { TopologyTestDriver } from './topology-test-driver.js';

const S = Serdes.String();

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** A value serde whose serializer throws for values starting with "bad". */
const picky: Serde<string> = {
  serialize(topic, value, headers) {
    if (value.startsWith('bad')) throw new TypeError(`cannot write "${value}"`);
    return S.serialize(topic, value, headers);
  },
  deserialize: (topic, data, headers) => S.deserialize(topic, data, headers),
};

function topology(): Topology {
  return new Topology()
    .addSource('src', 'in', { keySerde: S, valueSerde: S })
    .addSink('sink', 'out', { keySerde: S, valueSerde: picky }, 'src');
}

describe('production errors with the source record', () => {
  it("should dead-letter the source record of an output that cannot be serialized with 'logAndContinue', and go on", () => {
    driver = new TopologyTestDriver(topology(), {
      productionExceptionHandler: 'logAndContinue',
      deadLetterQueueTopic: 'dlq',
      logger: silentLogger,
    });
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'good-1', 10);
    input.pipeInput('b', 'bad-2', 20, Headers.of([{ key: 'trace', value: 't-2' }]));
    input.pipeInput('c', 'good-3', 30);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['good-1', 'good-3']);
    const dlq = driver.createOutputTopic('dlq', S, S).readRecordsToList();
    expect(dlq).toHaveLength(1);
    const d = dlq[0]!;
    // The raw source record, its own headers first, then KIP-1034's.
    expect([d.key, d.value, d.timestamp]).toEqual(['b', 'bad-2', 20]);
    expect(d.headers.lastString('trace')).toBe('t-2');
    expect(d.headers.lastString('__streams.errors.topic')).toBe('in');
    expect(d.headers.lastString('__streams.errors.partition')).toBe('0');
    expect(d.headers.lastString('__streams.errors.offset')).toBe('1');
    expect(d.headers.lastString('__streams.errors.exception')).toBe('SerializationError');
    expect(d.headers.lastString('__streams.errors.message')).toMatch(
      /sink "sink" cannot serialize.*cannot write "bad-2"/,
    );
    expect(d.headers.lastString('__streams.errors.stacktrace')).toMatch(/Caused by: TypeError: cannot write "bad-2"/);
    expect(driver.metrics()).toMatchObject({ deadLettered: 1, droppedByReason: { 'serialization-error': 1 } });
  });

  it('should hand a custom production handler the raw key, value and headers of the source record', () => {
    const seen: ProductionErrorContext[] = [];
    const handler: ProductionExceptionHandler = {
      handle: (): HandlerResponse => ({ action: 'FAIL' }),
      handleSerializationException(context) {
        seen.push(context);
        return { action: 'CONTINUE' };
      },
    };
    driver = new TopologyTestDriver(topology(), { productionExceptionHandler: handler, logger: silentLogger });
    driver.createInputTopic('in', S, S).pipeInput('k', 'bad', 7, Headers.of([{ key: 'h', value: 'v' }]));
    expect(seen).toHaveLength(1);
    const source = seen[0]!.sourceRecord!;
    expect([source.topic, source.partition, source.offset, source.timestamp]).toEqual(['in', 0, 0, 7]);
    expect([source.key?.toString(), source.value?.toString(), source.headers.lastString('h')]).toEqual([
      'k',
      'bad',
      'v',
    ]);
    expect(seen[0]).toMatchObject({ topic: 'out', nodeName: 'sink' });
  });

  it('should dead-letter the source record and still stop with the default handler (Kafka Streams 4)', () => {
    driver = new TopologyTestDriver(topology(), { deadLetterQueueTopic: 'dlq', logger: silentLogger });
    const input = driver.createInputTopic('in', S, S);
    expect(() => input.pipeInput('b', 'bad-1', 20)).toThrowError(ProductionError);
    const dlq = driver.createOutputTopic('dlq', S, S).readRecordsToList();
    expect(dlq.map((r) => [r.key, r.value, r.headers.lastString('__streams.errors.offset')])).toEqual([
      ['b', 'bad-1', '0'],
    ]);
  });
});
