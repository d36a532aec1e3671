// maxRecordsPerSecond on the real broker: two replicas of one application, each limited to 250 records/s (the limit
// is stated per instance), share a backlog; together they process 500 records/s within 10 % over 20 s, and each
// reports the time it waited in metrics().throttledMs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, Topology } from '@kaskade/core';
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
});
