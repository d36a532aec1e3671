// Windows that close on the wall clock, on the real broker: a windowed count with
// EmitStrategy.onWindowClose({ wallClock: true }) emits its final result once wall-clock time passes window end +
// grace while no further record arrives; the same count closing on stream time only (Kafka Streams' behaviour) is
// still holding its result back at that point.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, silentLogger } from '@kaskade/core';
import { Consumed, EmitStrategy, Produced, StreamsBuilder, TimeWindows } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic } from './kafka-helpers.js';

const S = Serdes.String();
const SIZE_MS = 2000;
const GRACE_MS = 1000;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('windows closing on the wall clock on the real broker', () => {
  it('should emit the final count of a window once the wall clock passes end + grace while the input is idle', async () => {
    const input = uniqueName('wallclock-in');
    const wallClockOut = uniqueName('wallclock-out');
    const streamTimeOut = uniqueName('streamtime-out');
    await createTopics(
      { topic: input, partitions: 1 },
      { topic: wallClockOut, partitions: 1 },
      { topic: streamTimeOut, partitions: 1 },
    );
    const b = new StreamsBuilder();
    const windowed = b
      .stream(input, Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(SIZE_MS, GRACE_MS));
    for (const [strategy, topic] of [
      [EmitStrategy.onWindowClose({ wallClock: true, checkIntervalMs: 100 }), wallClockOut],
      [EmitStrategy.onWindowClose(), streamTimeOut],
    ] as const) {
      windowed
        .emitStrategy(strategy)
        .count()
        .toStream()
        .map((k, v) => ({ key: `${k.key}@${k.window.start}`, value: String(v) }))
        .to(topic, Produced.with(S, S));
    }
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-wallclock-'));
    dirs.push(stateDir);
    const streams = new KafkaStreams(b.build(), {
      applicationId: uniqueName('wallclock-app'),
      bootstrapServers: bootstrapServers(),
      stateDir,
      commitIntervalMs: 100,
      logger: silentLogger,
    });
    await streams.start();
    try {
      // The records go in once the instance has its task: processed later than end + grace on the wall clock (a slow
      // first assignment), they would be late for a window that had closed already, and dropped.
      await eventually(
        () => streams.state === 'RUNNING' && streams.metrics().activeTasks.length === 1,
        60_000,
        'the instance running with its task',
      );
      const now = Date.now();
      const windowStart = now - (now % SIZE_MS);
      const closesAt = windowStart + SIZE_MS + GRACE_MS;
      // Three records in one window, then nothing: stream time stays inside the window.
      await produce(
        input,
        [1, 2, 3].map(() => ({ key: 'a', value: 'x', timestamp: now })),
      );
      const finals = await readTopic(wallClockOut, (all) => all.length >= 1, { timeoutMs: 30_000 });
      const receivedAt = Date.now();
      expect(finals.map((m) => [String(m.key), String(m.value)])).toEqual([[`a@${windowStart}`, '3']]);
      expect(receivedAt).toBeGreaterThanOrEqual(closesAt);
      // Within the check interval, a commit and the reader's round trip: not the next record, which never comes.
      expect(receivedAt - closesAt).toBeLessThan(10_000);
      // Stream time never passed end + grace: the stream-time-only count still holds its result.
      const held = await readTopic(streamTimeOut, () => false, { timeoutMs: 1500 });
      expect(held).toEqual([]);
      expect(streams.state).toBe('RUNNING');
    } finally {
      expect(await streams.close()).toBe(true);
    }
  }, 90_000);
});
