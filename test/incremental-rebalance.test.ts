// Incremental rebalancing (KIP-848's consumer group protocol) on the real broker: an application with two
// co-partitioned sources and a repartition topic scales from 2 to 3 instances and back while input flows. Checked at
// every sample: no task is active on two instances at once (a task gets partition p of both sources together, the
// range assignor's co-partitioning); no instance reports a split task; every input record processed. Measured: each
// task's longest pause in processing while it stayed with its instance (the must-show bound is one commit interval
// plus one poll), with how soon after the pause began its next record was produced (so a pause in the input is not
// taken for one in processing), printed, not asserted (the machine is shared; timing assertions would be flaky).
// KASKADE_TEST_GROUP_PROTOCOL=classic runs the same scenario under the eager protocol, for comparison;
// KASKADE_TEST_REBALANCE_LOG=1 prints every instance's log lines, each after its instance and time (ms mod 100 000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, Topology } from '@kaskade/core';
import type { ProcessorContext, Record } from '@kaskade/processor-api';
import { KafkaProducerClient } from '@kaskade/core/internal';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, recordingLogger } from './kafka-helpers.js';
import type { RecordingLogger } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const PARTITIONS = 6;
const COMMIT_INTERVAL_MS = 500;
const POLL_MS = 100;
const protocol = (process.env['KASKADE_TEST_GROUP_PROTOCOL'] ?? 'consumer') as 'consumer' | 'classic';

/** One processed input record: which task, which offset of which topic, when, by whom. */
interface Processed {
  readonly task: string;
  readonly topic: string;
  readonly offset: number;
  readonly at: number;
  readonly instance: string;
  /** The record's timestamp: when the test produced it. */
  readonly producedAt: number;
}

function topology(a: string, b: string, out: string, seen: Processed[], instance: string): Topology {
  const S = Serdes.String();
  const stamp = (sub: number) => () => {
    let ctx: ProcessorContext<string, string>;
    return {
      init(c: ProcessorContext<string, string>) {
        ctx = c;
      },
      process(r: Record<string, string>) {
        const m = ctx.recordMetadata()!;
        seen.push({
          task: `${sub}_${m.partition}`,
          topic: m.topic,
          offset: m.offset,
          at: Date.now(),
          instance,
          producedAt: r.timestamp,
        });
        ctx.forward(r);
      },
    };
  };
  return new Topology()
    .addInternalTopic('rekeyed', { partitions: PARTITIONS })
    .addSource('in', [a, b], { keySerde: S, valueSerde: S })
    .addProcessor('stamp-0', stamp(0), 'in')
    .addSink('to-rekeyed', 'rekeyed', { keySerde: S, valueSerde: S }, 'stamp-0')
    .addSource('from-rekeyed', 'rekeyed', { keySerde: S, valueSerde: S })
    .addProcessor('stamp-1', stamp(1), 'from-rekeyed')
    .addSink('out', out, { keySerde: S, valueSerde: S }, 'stamp-1');
}

describe(`incremental rebalancing (groupProtocol ${protocol})`, () => {
  it('should keep co-partitioned tasks whole and the tasks that stay processing while scaling 2 → 3 → 2', async () => {
    const a = uniqueName('incr-a');
    const b = uniqueName('incr-b');
    const out = uniqueName('incr-out');
    const appId = uniqueName('incr-app');
    await createTopics(
      { topic: a, partitions: PARTITIONS },
      { topic: b, partitions: PARTITIONS },
      { topic: out, partitions: PARTITIONS },
    );
    const seen: Processed[] = [];
    const logs: RecordingLogger[] = [];
    const instance = (name: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'kaskade-incr-'));
      dirs.push(dir);
      const logger = recordingLogger({
        echo: (l) =>
          l.level === 'error' ||
          (process.env['KASKADE_TEST_REBALANCE_LOG'] !== undefined &&
            (console.log(`${name} ${Date.now() % 100000}`), true)),
      });
      logs.push(logger);
      return new KafkaStreams(topology(a, b, out, seen, name), {
        applicationId: appId,
        bootstrapServers: bootstrapServers(),
        stateDir: dir,
        instanceId: name,
        groupProtocol: protocol,
        commitIntervalMs: COMMIT_INTERVAL_MS,
        pollMs: POLL_MS,
        logger,
      });
    };
    // Input all along: one record per partition of both sources every 50 ms.
    const producer = new KafkaProducerClient({ bootstrapServers: bootstrapServers(), config: { 'linger.ms': 5 } });
    await producer.connect();
    let produced = 0;
    let producing = true;
    const production = (async () => {
      for (let i = 0; producing; i++) {
        for (let p = 0; p < PARTITIONS; p++) {
          for (const t of [a, b]) {
            producer.produce(t, p, Buffer.from(String(i)), Buffer.from(`k${p}`), Date.now());
            produced++;
          }
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await producer.flush();
      await producer.disconnect();
    })();
    // Sampled every 50 ms: a task active on two instances at once would mean its partitions were split.
    const running = new Map<string, KafkaStreams>();
    const doubled: string[] = [];
    const sampler = setInterval(() => {
      const owners = new Map<string, string[]>();
      for (const [name, s] of running) {
        for (const t of s.metrics().activeTasks) owners.set(t, [...(owners.get(t) ?? []), name]);
      }
      for (const [t, o] of owners) if (o.length > 1) doubled.push(`${t} on ${o.join(' and ')}`);
    }, 50);
    const allTasksOwned = () => {
      const tasks = [...running.values()].flatMap((s) => s.metrics().activeTasks);
      return tasks.length === 2 * PARTITIONS && [...running.values()].every((s) => s.state === 'RUNNING');
    };
    const events: [string, number][] = [];
    // The instances share this process's event loop: a long synchronous step of one (m3 starting) pauses all.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      for (const name of ['m1', 'm2']) {
        const s = instance(name);
        running.set(name, s);
        await s.start();
      }
      await eventually(allTasksOwned, 60_000, 'm1 and m2 own all tasks');
      events.push(['m1+m2 running', Date.now()]);
      loopDelay.enable();
      await sleep(3000);
      const m3 = instance('m3');
      running.set('m3', m3);
      const joinedAt = Date.now();
      events.push(['m3 starts', joinedAt]);
      await m3.start();
      await eventually(() => allTasksOwned() && m3.metrics().activeTasks.length > 0, 60_000, 'm3 owns tasks');
      const joinMs = Date.now() - joinedAt;
      events.push(['m3 owns tasks', Date.now()]);
      await sleep(3000);
      running.delete('m3');
      events.push(['m3 closes', Date.now()]);
      await m3.close();
      events.push(['m3 closed', Date.now()]);
      await eventually(allTasksOwned, 60_000, 'm1 and m2 own all tasks again');
      events.push(['m1+m2 own all', Date.now()]);
      await sleep(2000);
      producing = false;
      await production;
      // Every input record processed, once per source record (at-least-once: a replay after a move may repeat some).
      const distinct = () =>
        new Set(seen.filter((s) => s.task.startsWith('0_')).map((s) => `${s.topic}:${s.offset}:${s.task}`)).size;
      await eventually(() => distinct() === produced, 60_000, 'every input record processed');
      console.log(`[incremental] m3 joined and owned tasks after ${joinMs} ms; ${produced} records`);
    } finally {
      clearInterval(sampler);
      producing = false;
      await production;
      await Promise.all([...running.values()].map((s) => s.close()));
    }
    loopDelay.disable();
    const t0 = events[0]?.[1] ?? 0;
    // m1 and m2, from both running until the end: the instances that stay through the scale-out and back.
    const gaps = longestStayingGaps(seen.filter((s) => s.instance !== 'm3' && s.at >= t0));
    const worst = Math.max(...[...gaps.values()].map((g) => g.ms));
    console.log(
      `[incremental] ${protocol}: longest pause of a task that stayed with its instance: ${worst} ms ` +
        `(bound: commit interval ${COMMIT_INTERVAL_MS} + poll ${POLL_MS}; ` +
        `longest event-loop stall of this process ${Math.round(loopDelay.max / 1e6)} ms); per task: ${[...gaps].map(([t, g]) => `${t}=${g.ms} (at +${g.at - t0}, ${g.instance}, next produced +${g.producedAfter})`).join(' ')}; ` +
        `events: ${events.map(([e, t]) => `${e} +${t - t0} (${t % 100000})`).join(', ')}`,
    );
    expect(doubled).toEqual([]);
    expect(logs.flatMap((l) => l.at('error'))).toEqual([]);
  }, 180_000);
});

/** A task's longest pause; `producedAfter`: how long after the pause began the next record was produced. */
interface Gap {
  readonly ms: number;
  readonly at: number;
  readonly instance: string;
  readonly producedAfter: number;
}

/**
 * Per task of the source sub-topology: the longest time between two consecutive records of a partition processed by
 * the same instance (the task stayed), with input arriving every 50 ms.
 */
function longestStayingGaps(seen: readonly Processed[]): Map<string, Gap> {
  const byPartition = new Map<string, Processed[]>();
  for (const s of seen) {
    if (!s.task.startsWith('0_')) continue;
    const key = `${s.task}:${s.topic}`;
    const list = byPartition.get(key);
    if (list) list.push(s);
    else byPartition.set(key, [s]);
  }
  const gaps = new Map<string, Gap>();
  for (const [key, list] of byPartition) {
    const task = key.split(':')[0]!;
    const sorted = [...list].sort((x, y) => x.offset - y.offset || x.at - y.at);
    for (let i = 1; i < sorted.length; i++) {
      const [prev, cur] = [sorted[i - 1]!, sorted[i]!];
      const ms = cur.at - prev.at;
      if (prev.instance === cur.instance && cur.offset === prev.offset + 1 && ms > (gaps.get(task)?.ms ?? -1)) {
        gaps.set(task, { ms, at: prev.at, instance: cur.instance, producedAfter: cur.producedAt - prev.at });
      }
    }
  }
  return gaps;
}
