// Empty keys and values are not nulls: a record whose value serializes to zero bytes (an empty string, an empty
// JSON-less payload) must reach the topic as an empty value, not as a tombstone that a compacted topic and every
// KTable read as a delete. Checked on the broker through Kaskade's producer client and through a topology's sink.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, silentLogger } from '@kaskade/core';
import { KafkaProducerClient } from '@kaskade/core/internal';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { readToEnd } from '@kaskade/testing';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Each record read back as [key, value], with null kept apart from empty ('' here). */
const shape = (b: Buffer | string | null | undefined) => (b === null || b === undefined ? null : b.toString());

describe('empty keys and values (broker)', () => {
  it('should write an empty value as empty bytes and a null value as a tombstone through the producer client', async () => {
    const topic = uniqueName('empty-bytes');
    await createTopics({ topic, partitions: 1 });
    const p = new KafkaProducerClient({ bootstrapServers: bootstrapServers() });
    await p.connect();
    const empty = Buffer.alloc(0);
    p.produce(topic, 0, empty, Buffer.from('k1'), Date.now());
    p.produce(topic, 0, null, Buffer.from('k2'), Date.now());
    p.produce(topic, 0, Buffer.from('v'), empty, Date.now());
    p.produce(topic, 0, Buffer.from('v'), null, Date.now());
    p.produce(topic, 0, Buffer.from(''), Buffer.from(''), Date.now());
    await p.flush();
    await p.disconnect();
    const read = (await readToEnd(bootstrapServers(), topic)).map((m) => [shape(m.key), shape(m.value)]);
    expect(read).toEqual([
      ['k1', ''],
      ['k2', null],
      ['', 'v'],
      [null, 'v'],
      ['', ''],
    ]);
  });

  it("should write a value that serializes to no bytes (the empty string) as empty, not as a delete, from a topology's sink", async () => {
    const input = uniqueName('empty-bytes-in');
    const output = uniqueName('empty-bytes-out');
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const S = Serdes.String();
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
      .mapValues((v) => (v === 'blank' ? '' : v))
      .to(output, Produced.with(S, S));
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-empty-bytes-'));
    dirs.push(stateDir);
    const streams = new KafkaStreams(b.build(), {
      applicationId: uniqueName('empty-bytes-app'),
      bootstrapServers: bootstrapServers(),
      stateDir,
      logger: silentLogger,
    });
    await streams.start();
    try {
      await produce(input, [
        { key: 'a', value: 'blank' },
        { key: 'b', value: 'kept' },
        { key: 'c', value: '' },
      ]);
      let read: (string | null)[][] = [];
      await eventually(
        async () => {
          read = (await readToEnd(bootstrapServers(), output)).map((m) => [shape(m.key), shape(m.value)]);
          return read.length >= 3;
        },
        60_000,
        'three outputs',
      );
      expect(read).toEqual([
        ['a', ''],
        ['b', 'kept'],
        ['c', ''],
      ]);
    } finally {
      expect(await streams.close()).toBe(true);
    }
  });
});
