// KafkaStreams.pause() / resume() / isPaused() on the real broker (Kafka Streams 3.3+ semantics): a paused instance
// processes and produces nothing, stays in its group (RUNNING, its partitions kept), keeps partitions assigned while
// paused paused, and after resume() catches up with nothing lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes } from '@kaskade/core';
import { KafkaAdmin } from '@kaskade/core/internal';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce } from './kafka-helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Records in a topic (sum of end offsets; the topics here are written without transactions). */
async function endTotal(topic: string): Promise<number> {
  const admin = KafkaAdmin.create(bootstrapServers());
  try {
    const ends = await admin.listOffsets(
      [0, 1].map((partition) => ({ topic, partition })),
      'latest',
    );
    return ends.reduce((sum, e) => sum + e.offset, 0);
  } finally {
    admin.close();
  }
}

function app(input: string, output: string, applicationId: string, instanceId: string): KafkaStreams {
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .mapValues((v) => v.toUpperCase())
    .to(output, Produced.with(Serdes.String(), Serdes.String()));
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-pause-'));
  dirs.push(stateDir);
  return new KafkaStreams(builder.build(), {
    applicationId,
    bootstrapServers: bootstrapServers(),
    instanceId,
    stateDir,
    commitIntervalMs: 100,
    logger: quiet,
  });
}

const records = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}`, partition: (from + i) % 2 }));

/** Waits `ms` and checks the topic's record count stayed `count` all along. */
async function staysAt(topic: string, count: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    expect(await endTotal(topic)).toBe(count);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('pause and resume of one instance', () => {
  it('should stop producing while paused, stay RUNNING in its group, and catch up after resume', async () => {
    const [input, output, appId] = [uniqueName('pause-in'), uniqueName('pause-out'), uniqueName('pause-app')];
    await createTopics({ topic: input, partitions: 2 }, { topic: output, partitions: 2 });
    const streams = app(input, output, appId, 'a');
    await streams.start();
    try {
      await produce(input, records(0, 100));
      await eventually(async () => (await endTotal(output)) === 100, 60_000, '100 outputs');
      streams.pause();
      expect(streams.isPaused()).toBe(true);
      await produce(input, records(100, 100));
      await staysAt(output, 100, 3000);
      expect(streams.state).toBe('RUNNING');
      expect(streams.metrics().processed).toBe(100);
      expect(streams.metrics().activeTasks).toHaveLength(2);
      streams.resume();
      expect(streams.isPaused()).toBe(false);
      await eventually(async () => (await endTotal(output)) === 200, 60_000, '200 outputs');
      expect(streams.metrics().processed).toBe(200);
    } finally {
      expect(await streams.close()).toBe(true);
    }
  });

  it('should start paused when paused before start, and keep partitions assigned while paused paused', async () => {
    const [input, output, appId] = [uniqueName('pause2-in'), uniqueName('pause2-out'), uniqueName('pause2-app')];
    await createTopics({ topic: input, partitions: 2 }, { topic: output, partitions: 2 });
    await produce(input, records(0, 50));
    const a = app(input, output, appId, 'a');
    a.pause();
    await a.start();
    try {
      await eventually(() => a.state === 'RUNNING', 60_000, 'a RUNNING');
      await staysAt(output, 0, 2000);
      // A second, unpaused instance takes one partition and processes its records...
      const b = app(input, output, appId, 'b');
      await b.start();
      try {
        await eventually(async () => (await endTotal(output)) === 25, 60_000, "b's 25 outputs");
      } finally {
        expect(await b.close()).toBe(true);
      }
      // ...and when it leaves, its partition goes back to the paused instance, which keeps it paused.
      await eventually(() => a.metrics().activeTasks.length === 2 && a.state === 'RUNNING', 60_000, 'a owns both');
      await produce(input, records(50, 50));
      await staysAt(output, 25, 3000);
      a.resume();
      await eventually(async () => (await endTotal(output)) === 100, 60_000, 'all 100 outputs');
    } finally {
      expect(await a.close()).toBe(true);
    }
  });
});
