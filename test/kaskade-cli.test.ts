// The `kaskade` command line on the real broker, run as users run it: a child process of the package's bin.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KafkaStreams, QueryableStoreTypes, Serdes } from '@kaskade/core';
import { KafkaConsumerClient } from '@kaskade/core/internal';
import { Consumed, Materialized, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce } from './kafka-helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = 'packages/kaskade/src/cli/kaskade.ts';

/** Runs `kaskade <args>` from the workspace's sources, as `npm run kaskade -- <args>` does. */
function kaskade(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=kaskade-source', '--import', 'tsx', bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, KASKADE_BOOTSTRAP_SERVERS: bootstrapServers() },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `kaskade <args>` without blocking this process (an application running here must go on meanwhile). */
function kaskadeAsync(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=kaskade-source', '--import', 'tsx', bin, ...args], {
      cwd: root,
      env: { ...process.env, KASKADE_BOOTSTRAP_SERVERS: bootstrapServers() },
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('kaskade CLI on the real broker', () => {
  it('should rewind a running stateful application with --state rebuild: counts as from a fresh start', async () => {
    const [topic, app] = [uniqueName('cli-rb-in'), uniqueName('cli-rb-app')];
    await createTopics({ topic, partitions: 2 });
    await produce(
      topic,
      Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 10}`, value: 'v', partition: i % 2 })),
    );
    const builder = new StreamsBuilder();
    builder
      .stream(topic, Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .count(Materialized.as('counts'));
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-cli-rb-'));
    const streams = new KafkaStreams(builder.build(), {
      applicationId: app,
      bootstrapServers: bootstrapServers(),
      stateDir,
      commitIntervalMs: 100,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    try {
      await streams.start();
      await eventually(() => streams.metrics().processed === 100, 60_000, '100 processed');
      const started = Date.now();
      const r = await kaskadeAsync('rewind', '--application-id', app, '--to-earliest', '--state', 'rebuild');
      const took = Date.now() - started;
      // Nothing on stderr but the progress lines the CLI prints while a command runs for more than a second.
      const errLines = r.stderr.split('\n').filter((l) => l !== '');
      expect(errLines.filter((l) => !/^rewinding .*\.\.\. \d+ s$/.test(l))).toEqual([]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/rewind .* issued: to the earliest offsets; state rebuilt from there/);
      expect(took).toBeLessThan(30_000);
      await eventually(() => streams.metrics().processed === 200, 60_000, '200 processed');
      const counts = [...streams.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).all()];
      expect(counts.map((kv) => [kv.key, kv.value]).sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => [`k${i}`, 10]).sort(),
      );
      const status = kaskade('status', '--application-id', app, '--json');
      const json = JSON.parse(status.stdout) as { rewind: { state: string }; desiredState: { paused: boolean } };
      expect(json.rewind.state).toBe('rebuild');
      expect(json.desiredState.paused).toBe(false);
    } finally {
      await streams.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('should print a dry-run reset plan, reset, and show the status with members and lag', async () => {
    const topic = uniqueName('cli-in');
    const app = uniqueName('cli-app');
    await createTopics({ topic, partitions: 2 });
    await produce(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'v', partition: i % 2 })),
    );
    const committer = new KafkaConsumerClient({ bootstrapServers: bootstrapServers(), groupId: app });
    await committer.connect();
    await committer.commit([
      { topic, partition: 0, offset: 5 },
      { topic, partition: 1, offset: 2 },
    ]);
    await committer.disconnect();

    const dry = kaskade('reset', '--application-id', app, '--to-earliest', '--dry-run');
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`Dry run: would reset application '${app}'`);
    expect(dry.stdout).toContain(`${topic}-0: 5 -> 0`);
    expect(dry.stdout).toContain(`${topic}-1: 2 -> 0`);

    const shift = kaskade('reset', '--application-id', app, '--shift-by', '-1', '--input-topics', topic);
    expect(shift.status).toBe(0);
    expect(shift.stdout).toContain(`${topic}-0: 5 -> 4`);

    const status = kaskade('status', '--application-id', app);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(`application '${app}': group Empty, 0 member(s)`);
    expect(status.stdout).toContain(`${topic}-0: 4 / 5, lag 1 (unassigned)`);
    expect(status.stdout).toContain(`${topic}-1: 1 / 5, lag 4 (unassigned)`);

    // A live member: status names it and its partitions; reset refuses with exit code 1.
    const member = new KafkaConsumerClient({
      bootstrapServers: bootstrapServers(),
      groupId: app,
      clientId: 'cli-replica',
    });
    await member.connect();
    member.subscribe([topic]);
    try {
      await eventually(
        async () => (await member.consumeBatch(1), member.assignments().length === 2),
        60_000,
        'assignment',
      );
      const live = kaskade('status', '--application-id', app, '--json');
      expect(live.status).toBe(0);
      const json = JSON.parse(live.stdout) as { members: { clientId: string; partitions: unknown[] }[] };
      expect(json.members.map((m) => [m.clientId, m.partitions.length])).toEqual([['cli-replica', 2]]);
      const refused = kaskade('reset', '--application-id', app);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/^kaskade: application '.*' still has 1 active member\(s\).*cli-replica@/);
    } finally {
      await member.disconnect();
    }
  });

  it('should answer an unknown application or topic with one line and exit code 2', () => {
    const unknown = kaskade('reset', '--application-id', uniqueName('cli-nobody'));
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/is unknown: its group has no committed offsets/);
    const topic = kaskade('reset', '--application-id', uniqueName('cli-nobody'), '--input-topics', 'no-such-topic-q');
    expect(topic.status).toBe(2);
    expect(topic.stderr).toMatch(/input topic\(s\) not found: no-such-topic-q/);
  });
});
