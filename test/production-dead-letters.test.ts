// A sink whose serializer throws for some records, and records larger than the output topic accepts, on the real
// broker with productionExceptionHandler 'logAndContinue' and a dead-letter topic: those source records land in the
// dead-letter topic with Kafka Streams' __streams.errors.* headers, every other record is delivered, and the
// application stays RUNNING — under exactly-once (each dead letter exactly once) and at-least-once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, Topology } from '@kaskade/core';
import type { ProcessingGuarantee } from '@kaskade/core';
import type { Serde } from '@kaskade/processor-api';
import type { ConsumedMessage } from '@kaskade/core/internal';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readToEnd, readTopic, recordingLogger, str } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const S = Serdes.String();
const BIG = 200_000;
const N = 300;
const BAD = [20, 150];
const LARGE = [80, 220];

/** Writes strings, but refuses values that start with "bad-" (a serializer bug met by some records). */
const picky: Serde<string> = {
  serialize(topic, value, headers) {
    if (value.startsWith('bad-')) throw new RangeError(`no encoding for ${value}`);
    return S.serialize(topic, value, headers);
  },
  deserialize: (topic, data, headers) => S.deserialize(topic, data, headers),
};

function valueAt(i: number): string {
  if (BAD.includes(i)) return `bad-${i}`;
  if (LARGE.includes(i)) return `large-${i}:`.padEnd(BIG, 'x');
  return `v${i}`;
}

function header(m: ConsumedMessage, key: string): string | undefined {
  const h = m.headers?.find((x) => Object.keys(x)[0] === key);
  const v = h?.[key];
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString() : String(v);
}

async function runWithDeadLetters(guarantee: ProcessingGuarantee) {
  const input = uniqueName('pdlq-in');
  const output = uniqueName('pdlq-out');
  const dlq = uniqueName('pdlq-dlq');
  await createTopics(
    { topic: input, partitions: 1 },
    { topic: output, partitions: 1, config: { 'max.message.bytes': '100000' } },
    { topic: dlq, partitions: 1 },
  );
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-pdlq-'));
  dirs.push(stateDir);
  const logger = recordingLogger();
  const streams = new KafkaStreams(
    new Topology()
      .addSource('src', input, { keySerde: S, valueSerde: S })
      .addSink('sink', output, { keySerde: S, valueSerde: picky }, 'src'),
    {
      applicationId: uniqueName('pdlq-app'),
      bootstrapServers: bootstrapServers(),
      stateDir,
      logger,
      processingGuarantee: guarantee,
      productionExceptionHandler: 'logAndContinue',
      deadLetterQueueTopic: dlq,
    },
  );
  await streams.start();
  await produce(
    input,
    Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: valueAt(i), partition: 0 })),
  );
  const isolation = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';
  const good = N - BAD.length - LARGE.length;
  const out = await readTopic(output, (all) => all.length >= good, { isolation, timeoutMs: 90_000 });
  const dead = await readTopic(dlq, (all) => all.length >= BAD.length + LARGE.length, { isolation, timeoutMs: 60_000 });
  await eventually(
    () => streams.metrics().deadLettered >= BAD.length + LARGE.length,
    30_000,
    'the dead letters to be counted',
  );
  // Anything more (a dead letter or an output sent twice) would show up in a while.
  await new Promise((r) => setTimeout(r, 2000));
  const [outAgain, deadAgain] = await Promise.all([
    readToEnd(output, { isolation, settleMs: 5000 }),
    readToEnd(dlq, { isolation, settleMs: 5000 }),
  ]);
  return { streams, logger, input, output, out, dead, outAgain, deadAgain };
}

function checkDeadLetters(dead: ConsumedMessage[], input: string): void {
  const byOffset = new Map(dead.map((m) => [Number(header(m, '__streams.errors.offset')), m]));
  expect([...byOffset.keys()].sort((a, b) => a - b)).toEqual([...BAD, ...LARGE].sort((a, b) => a - b));
  for (const [offset, m] of byOffset) {
    // The source record as consumed: key and value unchanged.
    expect(str(m.key)).toBe(`k${offset}`);
    expect(str(m.value)).toBe(valueAt(offset));
    expect(header(m, '__streams.errors.topic')).toBe(input);
    expect(header(m, '__streams.errors.partition')).toBe('0');
    const large = LARGE.includes(offset);
    expect(header(m, '__streams.errors.exception')).toBe(large ? 'UndeliverableRecordError' : 'SerializationError');
    expect(header(m, '__streams.errors.message')).toMatch(
      large ? /larger than the topic accepts/ : new RegExp(`cannot serialize.*no encoding for bad-${offset}`),
    );
    expect(header(m, '__streams.errors.stacktrace')).toMatch(
      large ? /UndeliverableRecordError/ : /Caused by: RangeError/,
    );
  }
}

describe('production errors to the dead-letter topic (broker)', () => {
  it('exactly-once: unserializable and too-large outputs dead-letter their source records once, the rest delivered', async () => {
    const { streams, input, outAgain, deadAgain } = await runWithDeadLetters('exactly_once_v2');
    try {
      expect(streams.state).toBe('RUNNING');
      expect(outAgain.map((m) => str(m.value))).toEqual(
        Array.from({ length: N }, (_, i) => i)
          .filter((i) => !BAD.includes(i) && !LARGE.includes(i))
          .map(valueAt),
      );
      expect(deadAgain).toHaveLength(BAD.length + LARGE.length);
      checkDeadLetters(deadAgain, input);
      expect(streams.metrics().droppedByReason).toMatchObject({
        'serialization-error': expect.any(Number),
        'production-error': expect.any(Number),
      });
      console.log(
        `[production-dlq] EOS: ${streams.metrics().transactionRecoveries} rewinds, dropped ${JSON.stringify(streams.metrics().droppedByReason)}`,
      );
    } finally {
      await streams.close();
    }
  });

  it('at-least-once: the same, with the handler logging each one and the application staying up', async () => {
    const { streams, logger, input, outAgain, deadAgain } = await runWithDeadLetters('at_least_once');
    try {
      expect(streams.state).toBe('RUNNING');
      // A rewind (after the broker refused a large record) sends the records since the last commit again: at least once.
      const values = new Set(outAgain.map((m) => str(m.value)));
      const expected = Array.from({ length: N }, (_, i) => i).filter((i) => !BAD.includes(i) && !LARGE.includes(i));
      expect(expected.filter((i) => !values.has(valueAt(i)))).toEqual([]);
      expect(outAgain.some((m) => str(m.value)?.startsWith('bad-') || str(m.value)?.startsWith('large-'))).toBe(false);
      checkDeadLetters(deadAgain, input);
      expect(logger.at('warn').filter((l) => l.includes('(logAndContinue)')).length).toBeGreaterThanOrEqual(4);
      expect(logger.at('error')).toEqual([]);
    } finally {
      await streams.close();
    }
  });
});
