// Every rebalance logs, at info level, how long each phase took: join/assignment, the commit before revocation,
// opening the stores, restoring them, and the first record after the assignment. The numbers go to the test log.
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

const PHASES =
  /^rebalance #(\d+) phases: join\/assignment (\d+|n\/a)( ms)?, revocation commit (\d+) ms, store open (\d+) ms, restore (\d+) ms \((\d+) records\); (\d+) partitions, (\d+) new tasks; (\d+) ms from assignment to ready$/;
const FIRST = /^rebalance #(\d+) phases: first record (\d+) ms after the assignment$/;

function phaseLines(logger: RecordingLogger): string[] {
  return logger.at('info').filter((m) => m.startsWith('rebalance #'));
}

describe('rebalance phases', () => {
  it('should log the duration of each phase at info level on every rebalance', async () => {
    const input = uniqueName('phases-in');
    const output = uniqueName('phases-out');
    const appId = uniqueName('phases-app');
    await createTopics({ topic: input, partitions: 4 }, { topic: output, partitions: 4 });
    const instance = (name: string, logger: RecordingLogger) => {
      const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-phases-'));
      dirs.push(stateDir);
      return new KafkaStreams(countingTopology(input, output), {
        applicationId: appId,
        bootstrapServers: bootstrapServers(),
        stateDir,
        instanceId: name,
        commitIntervalMs: 200,
        logger,
      });
    };
    const echo = (l: { message: string }) => l.message.startsWith('rebalance #');
    const logA = recordingLogger({ echo });
    const a = instance('a', logA);
    await a.start();
    await produce(
      input,
      Array.from({ length: 2000 }, (_, i) => ({ key: `k${i % 50}`, value: String(i) })),
    );
    await eventually(() => a.metrics().processed >= 2000, 60_000, 'a processed');
    const logB = recordingLogger({ echo });
    const b = instance('b', logB);
    await b.start();
    // B joins: both rebalance; B restores the tasks it takes over from their changelogs.
    await eventually(
      () => a.state === 'RUNNING' && b.state === 'RUNNING' && b.metrics().activeTasks.length > 0,
      60_000,
      'both running',
    );
    await produce(
      input,
      Array.from({ length: 400 }, (_, i) => ({ key: `k${i % 50}`, value: String(i) })),
    );
    await eventually(
      () =>
        phaseLines(logA).some((m) => FIRST.test(m) && !m.startsWith('rebalance #1 ')) &&
        phaseLines(logB).some((m) => FIRST.test(m)),
      60_000,
      'first-record lines',
    );
    await b.close();
    await a.close();

    const linesA = phaseLines(logA);
    const linesB = phaseLines(logB);
    // A: its first join, then the rebalance B caused (with a commit before revocation).
    const phasesA = linesA.map((m) => PHASES.exec(m)).filter((m) => m !== null);
    expect(phasesA.length).toBeGreaterThanOrEqual(2);
    expect(phasesA[0]![2]).toMatch(/^\d+$/);
    for (const p of phasesA) for (const i of [4, 5, 6, 10]) expect(Number(p[i])).toBeGreaterThanOrEqual(0);
    // B: its join took tasks over, whose stores it restored from the changelog (A's counts).
    const phasesB = linesB.map((m) => PHASES.exec(m)).filter((m) => m !== null);
    expect(phasesB.length).toBeGreaterThanOrEqual(1);
    expect(phasesB.some((p) => Number(p[9]) > 0 && Number(p[7]) > 0)).toBe(true);
    expect(linesB.some((m) => FIRST.test(m))).toBe(true);
  });
});
