// examples/observability-pipeline.ts under exactly_once_v2 on the real broker, with Avro through a real schema
// registry: events (invalid ones and duplicates among them) go in; two replicas run the pipeline, one is SIGKILLed
// in the middle and started again. Every event must end in `transform` or `failed` exactly once for a read_committed
// reader (readToEnd's default, as the pipeline's own consumers read), and nothing may be lost. The suite runs 2 000
// events; `npm run verify:observability` runs 20 000.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToEnd, startSchemaRegistry } from '@kaskade/testing';
import type { SchemaRegistry } from '@kaskade/testing';
import { HOSTS, PARTITIONS, observabilitySerdes, sampleEvents, topicsFor } from '../examples/observability-pipeline.js';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, str } from './kafka-helpers.js';
import { startReplicaProcess, type ReplicaProcess } from './replica-process.js';

const EVENTS = Number(process.env['KASKADE_OBSERVABILITY_EVENTS'] ?? 2_000);
let registry: SchemaRegistry;
const dirs: string[] = [];
const replicas: ReplicaProcess[] = [];
beforeAll(async () => {
  registry = await startSchemaRegistry();
});
afterAll(async () => {
  for (const r of replicas) if (r.exit === undefined) r.proc.kill('SIGKILL');
  await registry?.stop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

interface Replica {
  readonly process: ReplicaProcess;
  state: string;
  processed: number;
  readonly errors: string[];
}

describe('observability pipeline example (broker, schema registry)', () => {
  it(
    `should put each of ${EVENTS} events in transform or failed exactly once under exactly_once_v2 with a replica SIGKILLed`,
    async () => {
      const started = Date.now();
      const prefix = uniqueName('obs');
      const t = topicsFor(prefix);
      const appId = `${prefix}-app`;
      await createTopics(...Object.values(t).map((topic) => ({ topic, partitions: PARTITIONS })));
      await produce(
        t.hosts,
        HOSTS.map(([key, h]) => ({ key, value: JSON.stringify(h) })),
      );
      const events = sampleEvents(EVENTS, Date.now() - 3_600_000 / 2);
      const distinct = new Set(events.map((e) => e.id));
      const invalid = new Set(events.filter((e) => !e.valid).map((e) => e.id));
      const baseDir = mkdtempSync(join(tmpdir(), 'kaskade-obs-'));
      dirs.push(baseDir);
      const run = (instanceId: string): Replica => {
        const args = [bootstrapServers(), registry.url, appId, instanceId, prefix, join(baseDir, instanceId)];
        const p = startReplicaProcess('test/fixtures/observability-replica.ts', args, (line) => {
          const e = line as { event: string; state?: string; processed?: number; message?: string };
          if (e.event === 'state') r.state = e.state!;
          if (e.event === 'progress') r.processed = e.processed!;
          if (e.event === 'error') r.errors.push(e.message!);
        });
        replicas.push(p);
        // Lines arrive after this returns, so the handler's `r` is set by then.
        const r: Replica = { process: p, state: '', processed: 0, errors: [] };
        return r;
      };
      // Registers the schemas before the replicas start, so that they only look them up (and the test reads with them).
      const serdes = await observabilitySerdes(registry.url, t);
      const a = run('a');
      const b = run('b');
      const alive = (...rs: Replica[]) => {
        for (const r of rs)
          if (r.process.exit !== undefined) throw new Error(`a replica died: ${JSON.stringify(r.process.exit)}`);
        return true;
      };
      await eventually(
        () => alive(a, b) && a.state === 'RUNNING' && b.state === 'RUNNING',
        120_000,
        'both replicas running',
      );
      // The input goes in while both run: the kill lands in the middle of the stream.
      const producing = produce(
        t.ingest,
        events.map((e) => ({ key: e.key, value: e.value, timestamp: e.timestamp })),
      );
      // Each event passes four sources (ingest, raw, unique, the join's repartition topic) and denorm: ~5 records.
      await eventually(() => alive(a, b) && a.processed >= EVENTS, 180_000, 'replica a to be busy');
      a.process.proc.kill('SIGKILL');
      console.log(`[observability] SIGKILL replica a after ${a.processed} records processed`);
      await eventually(() => a.process.exit !== undefined, 10_000, 'the kill');
      await producing;
      const a2 = run('a');
      const valid = distinct.size - invalid.size;
      const ids = async () => {
        const [done, failed] = await Promise.all([
          readToEnd(bootstrapServers(), t.transform),
          readToEnd(bootstrapServers(), t.failed),
        ]);
        return {
          done: done.map((m) => serdes.transform.deserialize(t.transform, m.value!).eventId),
          failed: failed.map((m) => str(m.key)!),
        };
      };
      await eventually(
        async () => {
          alive(a2, b);
          const now = await ids();
          return now.done.length >= valid && now.failed.length >= invalid.size;
        },
        EVENTS * 60 + 120_000,
        'every event in transform or failed',
      );
      // Closed cleanly, so that whatever they still had in flight is committed (or aborted) before the final read.
      await Promise.all([a2.process.stop('SIGTERM'), b.process.stop('SIGTERM')]);
      const { done, failed } = await ids();
      // What a read_uncommitted reader would also see: the aborted transactions' copies (the killed replica's last one).
      const uncommitted = await readToEnd(bootstrapServers(), t.transform, { isolation: 'read_uncommitted' });
      const seen = new Map<string, number>();
      for (const id of [...done, ...failed]) seen.set(id, (seen.get(id) ?? 0) + 1);
      const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      const lost = [...distinct].filter((id) => !seen.has(id));
      console.log(
        `[observability] ${events.length} records (${distinct.size} events, ${invalid.size} invalid): ${done.length} transformed (${uncommitted.length - done.length} more in aborted transactions), ${failed.length} failed, ${twice.length} twice, ${lost.length} lost, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(twice).toEqual([]);
      expect(lost).toEqual([]);
      expect(new Set(failed)).toEqual(invalid);
      expect(done).toHaveLength(valid);
      expect([...a.errors, ...a2.errors, ...b.errors]).toEqual([]);
    },
    300_000 + EVENTS * 60,
  );
});
