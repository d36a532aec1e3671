import type { BlobStore } from '../blob-store.js';

interface Sweep {
  users: number;
  readonly timer: NodeJS.Timeout;
}

// One sweep per store and topic in a process, however many tasks of the claim check it runs: the tasks start and stop
// it with their own lifecycle (a rebalance moves tasks but the sweep goes on while the process has one).
const sweeps = new WeakMap<BlobStore, Map<string, Sweep>>();

/** The sweep interval when none is given: a tenth of the retention, between 1 second and 10 minutes. */
export function defaultSweepIntervalMs(retentionMs: number): number {
  return Math.min(600_000, Math.max(1_000, Math.floor(retentionMs / 10)));
}

/**
 * Joins (or starts) the sweep of `topic`'s blobs; the returned function leaves it (the last one out stops the timer).
 * A failed sweep is tried again at the next interval: the blobs it missed are only older by then.
 */
export function joinSweep(store: BlobStore, topic: string, retentionMs: number, intervalMs: number): () => void {
  let byTopic = sweeps.get(store);
  if (byTopic === undefined) sweeps.set(store, (byTopic = new Map()));
  let sweep = byTopic.get(topic);
  if (sweep === undefined) {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      store
        .deleteOlderThan(`${topic}/`, Date.now() - retentionMs)
        .catch(() => 0)
        .finally(() => (running = false));
    }, intervalMs);
    // The sweep must not keep a closed application's process alive.
    timer.unref();
    sweep = { users: 0, timer };
    byTopic.set(topic, sweep);
  }
  sweep.users++;
  const joined = sweep;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    if (--joined.users === 0) {
      clearInterval(joined.timer);
      byTopic.delete(topic);
    }
  };
}
