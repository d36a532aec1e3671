// Static membership on the real broker (KIP-345): with staticMembership, an instance restarted within the session
// timeout takes its old place in the group back. Its tasks come back to it, and the other member keeps its own
// without a rebalance: no revocation, no new assignment, never REBALANCING.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams } from '@kaskade/core';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { countingTopology } from './fixtures/counting-topology.js';
import { createTopics, eventually, produce, recordingLogger } from './kafka-helpers.js';
import type { RecordingLogger } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The lines a rebalance makes an instance log (assignments, revocations and their phase timings). */
const rebalanceLines = (logger: RecordingLogger): string[] =>
  logger.at('info').filter((m) => m.startsWith('rebalance #') || m.startsWith('assigned ') || m.includes('revok'));

// Both group protocols: classic (session timeout 30 s, the consumer's) and KIP-848's consumer protocol (the test
// broker's group.consumer.session.timeout.ms, 6 s).
describe.each(['classic', 'consumer'] as const)('static membership on the real broker (%s protocol)', (protocol) => {
  it('should give a member restarted within the session timeout its tasks back, with no rebalance for the other', async () => {
    const input = uniqueName('static-in');
    const output = uniqueName('static-out');
    const appId = uniqueName('static-app');
    await createTopics({ topic: input, partitions: 4 }, { topic: output, partitions: 4 });
    const stateDirs = new Map<string, string>();
    const instance = (name: string, logger: RecordingLogger) => {
      if (!stateDirs.has(name)) {
        const dir = mkdtempSync(join(tmpdir(), 'kaskade-static-'));
        dirs.push(dir);
        stateDirs.set(name, dir);
      }
      return new KafkaStreams(countingTopology(input, output), {
        applicationId: appId,
        bootstrapServers: bootstrapServers(),
        stateDir: stateDirs.get(name)!,
        instanceId: name,
        staticMembership: true,
        commitIntervalMs: 200,
        groupProtocol: protocol,
        ...(protocol === 'classic' ? { consumerConfig: { 'session.timeout.ms': 30_000 } } : {}),
        logger,
      });
    };
    const logA = recordingLogger();
    const a = instance('a', logA);
    await a.start();
    await eventually(() => a.state === 'RUNNING' && a.metrics().activeTasks.length === 4, 60_000, 'a owns all tasks');
    const b = instance('b', recordingLogger());
    await b.start();
    await eventually(
      () =>
        a.state === 'RUNNING' &&
        b.state === 'RUNNING' &&
        b.metrics().activeTasks.length > 0 &&
        a.metrics().activeTasks.length + b.metrics().activeTasks.length === 4,
      60_000,
      'the tasks shared by a and b',
    );
    await produce(
      input,
      Array.from({ length: 400 }, (_, i) => ({ key: `k${i % 40}`, value: String(i) })),
    );
    await eventually(() => a.metrics().processed + b.metrics().processed === 400, 60_000, 'first records processed');
    const tasksA = [...a.metrics().activeTasks].sort();
    const tasksB = [...b.metrics().activeTasks].sort();
    const linesBefore = rebalanceLines(logA).length;
    const statesOfA: string[] = [];
    a.onStateChange(({ to }) => statesOfA.push(to));

    // b stops (a static member does not leave the group) and comes back with the same instance id.
    expect(await b.close()).toBe(true);
    const logB2 = recordingLogger();
    const b2 = instance('b', logB2);
    const restartedAt = Date.now();
    await b2.start();
    try {
      await eventually(
        () => b2.state === 'RUNNING' && b2.metrics().activeTasks.length > 0,
        25_000,
        'b back with its tasks',
      );
      const backAfterMs = Date.now() - restartedAt;
      console.log(
        `static membership: b back with tasks ${b2.metrics().activeTasks.join(', ')} after ${backAfterMs} ms`,
      );
      expect([...b2.metrics().activeTasks].sort()).toEqual(tasksB);
      // Records keep flowing to both, each on its own tasks.
      await produce(
        input,
        Array.from({ length: 400 }, (_, i) => ({ key: `k${i % 40}`, value: String(i) })),
      );
      await eventually(
        () => a.metrics().processed + b2.metrics().processed >= 800 - b.metrics().processed,
        60_000,
        'records after the restart processed',
      );
      expect(b2.metrics().processed).toBeGreaterThan(0);
      // The survivor: same tasks, no rebalance logged, never left RUNNING.
      expect([...a.metrics().activeTasks].sort()).toEqual(tasksA);
      expect(rebalanceLines(logA).slice(linesBefore)).toEqual([]);
      expect(statesOfA).toEqual([]);
      expect(a.state).toBe('RUNNING');
    } finally {
      await b2.close();
      await a.close();
    }
  });
});
