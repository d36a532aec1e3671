// KStream.deduplicate on the real broker under exactly_once_v2: two replicas, one SIGKILLed in the middle of the
// stream and restarted; every id must come out exactly once (read_committed), though each was produced three times.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readToEnd, readTopic, str } from './kafka-helpers.js';
import { startReplicaProcess } from './replica-process.js';

interface Replica {
  readonly proc: ChildProcess;
  readonly exited: boolean;
  processed: number;
  commits: number;
  duplicates: number;
  state: string;
  errors: string[];
  restored: number;
}

describe('KStream.deduplicate (broker)', () => {
  it('should output every id exactly once under exactly_once_v2 while a replica is SIGKILLed and restarted', async () => {
    const input = uniqueName('dedup-in');
    const output = uniqueName('dedup-out');
    const appId = uniqueName('dedup-app');
    const partitions = 4;
    await createTopics({ topic: input, partitions }, { topic: output, partitions });
    const baseDir = mkdtempSync(join(tmpdir(), 'kaskade-dedup-'));
    const run = (instanceId: string, dir = instanceId): Replica => {
      const args = [bootstrapServers(), appId, instanceId, input, output, join(baseDir, dir)];
      const p = startReplicaProcess('test/fixtures/dedup-replica.ts', args, (line) => {
        const e = line as {
          event: string;
          processed?: number;
          commits?: number;
          duplicates?: number;
          state?: string;
          message?: string;
          restored?: number;
        };
        if (e.event === 'progress')
          Object.assign(r, { processed: e.processed, commits: e.commits, duplicates: e.duplicates });
        if (e.event === 'state') r.state = e.state!;
        if (e.event === 'error') r.errors.push(e.message!);
        if (e.event === 'restore-end') r.restored += e.restored ?? 0;
      });
      // Lines arrive after this returns, so the handler's `r` is set by then.
      const r: Replica = {
        proc: p.proc,
        get exited() {
          return p.exit !== undefined;
        },
        processed: 0,
        commits: 0,
        duplicates: 0,
        state: '',
        errors: [],
        restored: 0,
      };
      return r;
    };
    const ids = 4000;
    // Three copies of every id, in rounds: the copies of an id are far apart in the input, so they straddle the kill.
    const round = (r: number) =>
      (function* () {
        for (let i = 0; i < ids; i++) yield { key: `id-${i}`, value: `id-${i}#${r}` };
      })();
    const replicas: Replica[] = [];
    try {
      await produce(input, round(0));
      replicas.push(run('a'), run('b'));
      await eventually(() => replicas.every((r) => r.state === 'RUNNING'), 120_000, 'both replicas running');
      await eventually(() => replicas[0]!.processed + replicas[1]!.processed >= ids, 120_000, 'round 0');
      const roundZero = replicas.map((r) => r.processed);
      const producing = (async () => {
        // Rounds 1 and 2 in slices with pauses, so that the kill lands while replica "a" is in the middle of them.
        for (const r of [1, 2]) {
          const records = [...round(r)];
          for (let i = 0; i < records.length; i += 500) {
            await produce(input, records.slice(i, i + 500));
            await new Promise((resolve) => setTimeout(resolve, 150));
          }
        }
        // One end marker per partition: once all are in the committed output, every record before them was processed.
        await produce(
          input,
          Array.from({ length: partitions }, (_, p) => ({ key: `end-${p}`, value: `end-${p}`, partition: p })),
        );
      })();
      const victim = replicas[0]!;
      // Half of its share of round 1 (each replica owns about half the partitions): committed copies already dropped,
      // more in its open transaction.
      await eventually(() => victim.processed >= roundZero[0]! + ids / 4, 120_000, 'replica a in round 1');
      victim.proc.kill('SIGKILL');
      console.log(
        `[dedup] SIGKILL replica a after ${victim.processed} records (${roundZero[0]} of round 0), ${victim.duplicates} duplicates dropped`,
      );
      await eventually(() => victim.exited, 10_000, 'the kill');
      // The same instance id fences the killed replica's open transaction; a fresh state directory makes it restore the
      // ids from the changelog, so only what the changelog committed (with the output) counts as seen.
      replicas.push(run('a', 'a-restarted'));
      await producing;
      await readTopic(output, (all) => all.filter((m) => str(m.key)?.startsWith('end-')).length === partitions, {
        isolation: 'read_committed',
        timeoutMs: 180_000,
      });
      // Everything is processed; read it all once more after a pause, so that anything committed after the markers (a
      // duplicate from a replayed batch) would be counted too.
      await new Promise((r) => setTimeout(r, 3000));
      const all = await readToEnd(output, { isolation: 'read_committed', settleMs: 10_000 });
      const seen = new Map<string, number>();
      for (const m of all) {
        const key = str(m.key)!;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      const copies = [...seen.values()];
      const twice = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
      const missing = Array.from({ length: ids }, (_, i) => `id-${i}`).filter((k) => !seen.has(k));
      const live = replicas.slice(1);
      console.log(
        `[dedup] ${seen.size} distinct keys out, ${copies.reduce((a, b) => a + b, 0)} records; survivors dropped ` +
          `${live.map((r) => r.duplicates).join('+')} duplicates; restored ${live.map((r) => r.restored).join('+')} changelog records`,
      );
      expect(twice).toEqual([]);
      expect(missing).toEqual([]);
      expect(seen.size).toBe(ids + partitions);
      expect(live.flatMap((r) => r.errors)).toEqual([]);
      expect(live.every((r) => !r.exited && r.state === 'RUNNING')).toBe(true);
      // The survivors dropped copies; those the killed replica dropped are lost with its process, not in the output.
      expect(live.reduce((n, r) => n + r.duplicates, 0)).toBeGreaterThan(0);
      // The restarted replica took its ids from the changelog.
      expect(replicas[2]!.restored).toBeGreaterThan(0);
    } finally {
      for (const r of replicas) if (!r.exited) r.proc.kill('SIGKILL');
      await eventually(() => replicas.every((r) => r.exited), 10_000, 'the replicas to stop').catch(() => undefined);
      rmSync(baseDir, { recursive: true, force: true });
    }
  }, 400_000);
});
