// maxRecordsPerSecond on the real broker: two replicas of one application, each limited to 250 records/s (the limit
// is stated per instance), share a backlog; together they process 500 records/s within 10 % over 20 s, and each
// reports the time it waited in metrics().throttledMs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, Topology } from '@kaskade/core';
import type { ProcessorContext, Record } from '@kaskade/processor-api';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('maxRecordsPerSecond (broker)', () => {
  it('should hold two replicas at 2 × 250 records/s within 10 % over 20 s', async () => {
    const input = uniqueName('rate-in');
    const output = uniqueName('rate-out');
    const applicationId = uniqueName('rate-app');
    await createTopics({ topic: input, partitions: 4 }, { topic: output, partitions: 4 });
    // More than 30 s of input at 500/s: the backlog never runs out during the measurement.
    await produce(
      input,
      Array.from({ length: 16_000 }, (_, i) => ({ key: `k${i % 97}`, value: String(i) })),
    );
    const S = Serdes.String();
    const replica = (instanceId: string) => {
      const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-rate-'));
      dirs.push(stateDir);
      return new KafkaStreams(
        new Topology()
          .addSource('src', input, { keySerde: S, valueSerde: S, offsetReset: 'earliest' })
          .addSink('sink', output, { keySerde: S, valueSerde: S }, 'src'),
        {
          applicationId,
          bootstrapServers: bootstrapServers(),
          stateDir,
          instanceId,
          maxRecordsPerSecond: 250,
          commitIntervalMs: 1000,
          logger: { debug() {}, info() {}, warn() {}, error() {} },
        },
      );
    };
    const replicas = [replica('r1'), replica('r2')];
    try {
      await Promise.all(replicas.map((r) => r.start()));
      await eventually(
        () => replicas.every((r) => r.state === 'RUNNING' && r.metrics().activeTasks.length > 0),
        60_000,
        'both replicas running with tasks',
      );
      await new Promise((r) => setTimeout(r, 2000)); // past the first batches after the rebalance
      const before = replicas.map((r) => r.metrics().processed);
      const started = performance.now();
      await new Promise((r) => setTimeout(r, 20_000));
      const seconds = (performance.now() - started) / 1000;
      const rates = replicas.map((r, i) => (r.metrics().processed - before[i]!) / seconds);
      const total = rates[0]! + rates[1]!;
      console.log(
        `[rate-limit] ${total.toFixed(1)} records/s over ${seconds.toFixed(1)} s (${rates.map((x) => x.toFixed(1)).join(' + ')}); throttled ${replicas.map((r) => r.metrics().throttledMs).join(' + ')} ms`,
      );
      expect(replicas.every((r) => r.state === 'RUNNING' && r.metrics().activeTasks.length > 0)).toBe(true);
      expect(total).toBeGreaterThanOrEqual(450);
      expect(total).toBeLessThanOrEqual(550);
      for (const rate of rates) expect(Math.abs(rate - 250)).toBeLessThanOrEqual(25);
      for (const r of replicas) expect(r.metrics().throttledMs).toBeGreaterThan(0);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  }, 120_000);

  it('should hold one source topic to its own limit by pausing it, while the other flows freely', async () => {
    const slow = uniqueName('rate-slow');
    const fast = uniqueName('rate-fast');
    const output = uniqueName('rate-out');
    await createTopics(
      { topic: slow, partitions: 2 },
      { topic: fast, partitions: 2 },
      { topic: output, partitions: 2 },
    );
    await produce(
      slow,
      Array.from({ length: 6000 }, (_, i) => ({ key: `s${i % 13}`, value: String(i) })),
    );
    await produce(
      fast,
      Array.from({ length: 6000 }, (_, i) => ({ key: `f${i % 13}`, value: String(i) })),
    );
    const S = Serdes.String();
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-rate-'));
    dirs.push(stateDir);
    let slowCount = 0;
    let fastCount = 0;
    // While measuring (its start, performance.now()): the slow topic's records per partition and per second.
    let measuring = 0;
    const slowByPartition: number[] = [];
    const slowBySecond: number[] = [];
    const streams = new KafkaStreams(
      new Topology()
        .addSource('slow', slow, { keySerde: S, valueSerde: S, offsetReset: 'earliest' })
        .addSource('fast', fast, { keySerde: S, valueSerde: S, offsetReset: 'earliest' })
        .addProcessor(
          'count',
          () => {
            let context: ProcessorContext<string, string>;
            return {
              init(c: ProcessorContext<string, string>) {
                context = c;
              },
              process(record: Record<string, string>) {
                const meta = context.recordMetadata();
                if (meta?.topic === slow) {
                  slowCount++;
                  if (measuring) {
                    slowByPartition[meta.partition] = (slowByPartition[meta.partition] ?? 0) + 1;
                    const second = Math.floor((performance.now() - measuring) / 1000);
                    slowBySecond[second] = (slowBySecond[second] ?? 0) + 1;
                  }
                } else fastCount++;
                context.forward(record);
              },
            };
          },
          'slow',
          'fast',
        )
        .addSink('sink', output, { keySerde: S, valueSerde: S }, 'count'),
      {
        applicationId: uniqueName('rate-topic-app'),
        bootstrapServers: bootstrapServers(),
        stateDir,
        maxRecordsPerSecondByTopic: { [slow]: 100 },
        commitIntervalMs: 1000,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      },
    );
    try {
      await streams.start();
      await eventually(() => fastCount === 6000, 60_000, 'the unlimited topic to be read through');
      const before = slowCount;
      const started = performance.now();
      measuring = started;
      await new Promise((r) => setTimeout(r, 20_000));
      const seconds = (performance.now() - started) / 1000;
      const rate = (slowCount - before) / seconds;
      const throttled = streams.metrics().throttledMsByTopic[slow] ?? 0;
      console.log(
        `[rate-limit] ${slow}: ${rate.toFixed(1)} records/s over ${seconds.toFixed(1)} s (limit 100); paused ${throttled} ms; the other topic's 6000 records went through at once`,
      );
      expect(streams.state).toBe('RUNNING');
      expect(rate).toBeGreaterThanOrEqual(90);
      expect(rate).toBeLessThanOrEqual(110);
      expect(throttled).toBeGreaterThan(0);
      expect(streams.metrics().throttledMsByTopic[fast]).toBeUndefined();
      // Each partition gets its share (the first partition librdkafka hands over does not take the whole budget),
      // and no second takes more than a second's rate plus the half second the bucket holds: no burst of a batch.
      console.log(`[rate-limit] per partition ${slowByPartition.join(' / ')}; per second ${slowBySecond.join(' ')}`);
      for (const p of [0, 1]) expect(slowByPartition[p] ?? 0).toBeGreaterThanOrEqual(0.4 * (slowCount - before));
      expect(Math.max(...slowBySecond)).toBeLessThanOrEqual(150);
    } finally {
      await streams.close();
    }
  }, 120_000);
});
