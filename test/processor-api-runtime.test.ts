// The at-least-once runtime on the real broker: a Processor API topology per partition, scaled replicas in separate
// processes surviving a SIGKILL, punctuation, dead-letter topics and config validation.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, PunctuationType, Record } from '@kaskade/processor-api';
import type { ProcessorContext } from '@kaskade/processor-api';
import { KafkaStreams, Serdes, Topology } from '@kaskade/core';
import { fromWireHeaders } from '@kaskade/core/internal';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { filterMapTopology, inputValue } from './fixtures/filter-map-topology.js';
import { createTopics, eventually, produce, readTopic, str } from './kafka-helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kaskade-rt-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function* inputRecords(n: number, keys: number) {
  for (let i = 0; i < n; i++) {
    const key = `k${i % keys}`;
    yield { key, value: inputValue(key, i) };
  }
}

/** Expected output values of the filter/map topology, without the partition suffix. */
function expectedSeqs(n: number): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < n; i++) if (i % 10 !== 0) out.add(i);
  return out;
}

/** Parses "K7:123:P2" → { seq: 123, partition: 2 }. */
function parseOut(value: string): { seq: number; partition: number } {
  const [, seq, p] = value.split(':');
  return { seq: Number(seq), partition: Number(p!.slice(1)) };
}

describe('Processor API runtime (at-least-once) on the real broker', () => {
  it('should carry 200 000 records over 3 partitions through filter and map, complete and in per-partition order', async () => {
    const input = uniqueName('rt-in');
    const output = uniqueName('rt-out');
    await createTopics({ topic: input, partitions: 3 }, { topic: output, partitions: 3 });
    const n = 200_000;
    await produce(input, inputRecords(n, 1000));
    const streams = new KafkaStreams(filterMapTopology(input, output), {
      applicationId: uniqueName('rt-app'),
      bootstrapServers: bootstrapServers(),
      stateDir: stateDir(),
      logger: quiet,
    });
    const states: string[] = [];
    streams.onStateChange(({ to }) => states.push(to));
    await streams.start();
    const expected = expectedSeqs(n);
    const out = await readTopic(output, (all) => all.length >= expected.size, { timeoutMs: 120_000 });
    await streams.close();
    expect(states).toEqual(['REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);
    expect(streams.metrics().processed).toBe(n);
    const parsed = out.map((m) => ({ ...parseOut(str(m.value)!), outPartition: m.partition }));
    expect(parsed).toHaveLength(expected.size);
    expect(new Set(parsed.map((p) => p.seq))).toEqual(expected);
    // Same key, same partitioner, same partition count: each record stays on its partition, in input order.
    for (const p of [0, 1, 2]) {
      const seqs = parsed.filter((x) => x.outPartition === p).map((x) => x.seq);
      expect(parsed.filter((x) => x.outPartition === p).every((x) => x.partition === p)).toBe(true);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('should split 6 partitions over three replica processes and lose nothing when one is killed with SIGKILL', async () => {
    const input = uniqueName('rep-in');
    const output = uniqueName('rep-out');
    const appId = uniqueName('rep-app');
    await createTopics({ topic: input, partitions: 6 }, { topic: output, partitions: 6 });
    const n = 120_000;
    // Half the input before the replicas start, half while they run.
    await produce(input, [...inputRecords(n, 600)].slice(0, n / 2));
    const replicas: { proc: ChildProcess; tasks: string[]; processed: number; exited: boolean }[] = [];
    for (let i = 0; i < 3; i++) {
      const proc = spawn(
        process.execPath,
        [
          '--conditions=kaskade-source',
          '--import',
          'tsx',
          'test/fixtures/replica.ts',
          bootstrapServers(),
          appId,
          input,
          output,
          stateDir(),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const r = { proc, tasks: [] as string[], processed: 0, exited: false };
      proc.on('exit', () => (r.exited = true));
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        try {
          const e = JSON.parse(line) as { tasks?: string[]; processed?: number };
          if (e.tasks) r.tasks = e.tasks;
          if (e.processed !== undefined) r.processed = e.processed;
        } catch {
          // not one of ours
        }
      });
      replicas.push(r);
    }
    try {
      // Each replica gets some of the 6 tasks.
      await eventually(
        () => replicas.every((r) => r.tasks.length > 0) && replicas.reduce((a, r) => a + r.tasks.length, 0) === 6,
        90_000,
        'three replicas sharing 6 tasks',
      );
      const split = replicas.map((r) => r.tasks.length);
      expect(split.every((x) => x >= 1)).toBe(true);
      await produce(input, [...inputRecords(n, 600)].slice(n / 2));
      await eventually(() => replicas[0]!.processed > 0, 60_000, 'the first replica to process records');
      const victim = replicas[0]!;
      const victimTasks = [...victim.tasks];
      victim.proc.kill('SIGKILL');
      await eventually(() => victim.exited, 10_000, 'the killed replica to exit');
      // The survivors take over the victim's tasks.
      await eventually(
        () => replicas.slice(1).reduce((a, r) => a + r.tasks.length, 0) === 6,
        90_000,
        'the survivors to own all 6 tasks',
      );
      expect(new Set(replicas.slice(1).flatMap((r) => r.tasks))).toEqual(
        new Set([...victimTasks, ...replicas.slice(1).flatMap((r) => r.tasks)]),
      );
      const expected = expectedSeqs(n);
      const seen = new Map<number, number>();
      await readTopic(
        output,
        (all) => {
          for (const m of all.splice(0)) {
            const seq = parseOut(str(m.value)!).seq;
            seen.set(seq, (seen.get(seq) ?? 0) + 1);
          }
          return [...expected].every((s) => seen.has(s));
        },
        { timeoutMs: 120_000 },
      );
      const missing = [...expected].filter((s) => !seen.has(s));
      const duplicates = [...seen.values()].reduce((a, c) => a + c - 1, 0);
      console.log(
        `[replicas] split ${split.join('/')} tasks; after SIGKILL: ${missing.length} missing, ${duplicates} duplicates of ${expected.size}`,
      );
      expect(missing).toEqual([]);
      expect([...seen.keys()].every((s) => expected.has(s))).toBe(true);
    } finally {
      for (const r of replicas) if (!r.exited) r.proc.kill('SIGTERM');
      await eventually(() => replicas.every((r) => r.exited), 30_000, 'replicas to stop').catch(() => {
        for (const r of replicas) if (!r.exited) r.proc.kill('SIGKILL');
      });
    }
  });

  it('should fire punctuation on stream time and on wall-clock time', async () => {
    const input = uniqueName('punct-in');
    const output = uniqueName('punct-out');
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const S = Serdes.String();
    const topology = new Topology()
      .addSource('src', input, { keySerde: S, valueSerde: S })
      .addProcessor(
        'p',
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init: (c: ProcessorContext<string, string>) => {
              ctx = c;
              c.schedule(1000, PunctuationType.STREAM_TIME, (ts) => ctx.forward(new Record('stream', String(ts), ts)));
              c.schedule(200, PunctuationType.WALL_CLOCK_TIME, (ts) => ctx.forward(new Record('wall', String(ts), ts)));
            },
            process: () => undefined,
          };
        },
        'src',
      )
      .addSink('out', output, { keySerde: S, valueSerde: S }, 'p');
    const streams = new KafkaStreams(topology, {
      applicationId: uniqueName('punct-app'),
      bootstrapServers: bootstrapServers(),
      stateDir: stateDir(),
      commitIntervalMs: 100,
      logger: quiet,
    });
    await streams.start();
    const base = 1_000_000_000_000;
    await produce(
      input,
      [500, 999, 1000, 2500, 2600, 7000].map((d) => ({ key: 'k', value: 'v', timestamp: base + d })),
    );
    const out = await readTopic(
      output,
      (all) =>
        all.filter((m) => str(m.key) === 'stream').length >= 4 && all.filter((m) => str(m.key) === 'wall').length >= 3,
      { timeoutMs: 60_000 },
    );
    await streams.close();
    const streamTimes = out.filter((m) => str(m.key) === 'stream').map((m) => Number(str(m.value)) - base);
    // Aligned to multiples of 1000 ms of stream time: the first record, then the records that cross a multiple.
    expect(streamTimes).toEqual([500, 1000, 2500, 7000]);
    const wall = out.filter((m) => str(m.key) === 'wall').map((m) => Number(str(m.value)));
    expect(wall.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < wall.length; i++) expect(wall[i]! - wall[i - 1]!).toBeGreaterThanOrEqual(200);
  });

  it('should send a poison record to the dead-letter topic with its headers while the rest flows on', async () => {
    const input = uniqueName('dlq-in');
    const output = uniqueName('dlq-out');
    const dlq = uniqueName('dlq');
    await createTopics(
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
      { topic: dlq, partitions: 1 },
    );
    const S = Serdes.String();
    const J = Serdes.Json<{ n: number }>();
    const topology = new Topology()
      .addSource('src', input, { keySerde: S, valueSerde: J })
      .addSink('out', output, { keySerde: S, valueSerde: J }, 'src');
    const streams = new KafkaStreams(topology, {
      applicationId: uniqueName('dlq-app'),
      bootstrapServers: bootstrapServers(),
      stateDir: stateDir(),
      commitIntervalMs: 200,
      deserializationExceptionHandler: 'logAndContinue',
      deadLetterQueueTopic: dlq,
      logger: quiet,
    });
    await streams.start();
    await produce(input, [
      { key: 'a', value: JSON.stringify({ n: 1 }), partition: 0 },
      { key: 'poison', value: '{this is not json', partition: 1, headers: [{ source: 'test' }] },
      { key: 'b', value: JSON.stringify({ n: 2 }), partition: 1 },
    ]);
    const out = await readTopic(output, (all) => all.length >= 2);
    const dead = await readTopic(dlq, (all) => all.length >= 1);
    await eventually(() => streams.metrics().skippedRecords === 1, 10_000, 'the skip to be counted');
    await streams.close();
    expect(out.map((m) => str(m.value)).sort()).toEqual(['{"n":1}', '{"n":2}']);
    expect(dead).toHaveLength(1);
    const d = dead[0]!;
    expect(str(d.key as Buffer)).toBe('poison');
    expect(str(d.value)).toBe('{this is not json');
    const h = fromWireHeaders(d.headers);
    expect(h.lastString('source')).toBe('test');
    expect(h.lastString('__streams.errors.topic')).toBe(input);
    expect(h.lastString('__streams.errors.partition')).toBe('1');
    expect(h.lastString('__streams.errors.offset')).toBe('0');
    expect(h.lastString('__streams.errors.message')).toMatch(/JSON/);
    expect(streams.metrics().deadLettered).toBe(1);
  });

  it('should refuse an invalid config at construction, naming every bad field', () => {
    const topology = new Topology().addSource('s', 'in').addSink('k', 'out', {}, 's');
    let error: unknown;
    try {
      new KafkaStreams(topology, {
        applicationId: 'has spaces!',
        bootstrapServers: bootstrapServers(),
        commitIntervalMs: -5,
      } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const fields = (error as ConfigError).issues.map((i) => i.field);
    expect(fields).toContain('applicationId');
    expect(fields).toContain('commitIntervalMs');
    expect((error as Error).message).toMatch(/applicationId/);
  });

  it('should go to ERROR with a clear cause when a source topic does not exist', async () => {
    const streams = new KafkaStreams(filterMapTopology(uniqueName('missing-in'), uniqueName('missing-out')), {
      applicationId: uniqueName('missing-app'),
      bootstrapServers: bootstrapServers(),
      stateDir: stateDir(),
      logger: quiet,
    });
    await expect(streams.start()).rejects.toThrowError(/source topic\(s\) not found: missing-in/);
    expect(streams.state).toBe('ERROR');
    await streams.close();
    expect(streams.state).toBe('NOT_RUNNING');
  });

  it('should start a source with offset reset "latest" at the end, and one with a timestamp at that time', async () => {
    const latestIn = uniqueName('reset-latest');
    const timeIn = uniqueName('reset-time');
    const output = uniqueName('reset-out');
    await createTopics(
      { topic: latestIn, partitions: 1 },
      { topic: timeIn, partitions: 1 },
      { topic: output, partitions: 1 },
    );
    const base = 1_600_000_000_000;
    await produce(latestIn, [{ key: 'old', value: 'before-start', timestamp: base }]);
    await produce(timeIn, [
      { key: 't', value: 'too-early', timestamp: base + 1000 },
      { key: 't', value: 'at-time', timestamp: base + 5000 },
      { key: 't', value: 'after-time', timestamp: base + 6000 },
    ]);
    const S = Serdes.String();
    const topology = new Topology()
      .addSource('latest', latestIn, { keySerde: S, valueSerde: S, offsetReset: 'latest' })
      .addSource('by-time', timeIn, { keySerde: S, valueSerde: S, offsetReset: { timestampMs: base + 5000 } })
      .addSink('out', output, { keySerde: S, valueSerde: S }, 'latest', 'by-time');
    const streams = new KafkaStreams(topology, {
      applicationId: uniqueName('reset-app'),
      bootstrapServers: bootstrapServers(),
      stateDir: stateDir(),
      commitIntervalMs: 100,
      logger: quiet,
    });
    await streams.start();
    await eventually(() => streams.state === 'RUNNING', 60_000, 'RUNNING');
    await produce(latestIn, [{ key: 'new', value: 'after-start' }]);
    const out = await readTopic(output, (all) => all.length >= 3);
    await streams.close();
    expect(out.map((m) => str(m.value)).sort()).toEqual(['after-start', 'after-time', 'at-time']);
  });
});
