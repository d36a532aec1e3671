import type { RestoreProgress, StateRestoreListener } from '../runtime/changelog-restorer.js';

/** Restoration of one store's changelog partition, as last reported. */
export interface StoreRestoreState {
  readonly storeName: string;
  readonly topic: string;
  readonly partition: number;
  readonly startOffset: number;
  readonly endOffset: number;
  restored: number;
  readonly startedAtMs: number;
  endedAtMs: number | undefined;
}

/**
 * Remembers the progress of every restoration (the latest per changelog partition) for metrics and the status
 * endpoint. Restoration is not the hot path: a listener call per batch of up to 10 000 records.
 */
export class RestoreProgressTracker implements StateRestoreListener {
  readonly #byPartition = new Map<string, StoreRestoreState>();
  /** Records applied by all restorations so far. */
  restoredTotal = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  onRestoreStart(p: RestoreProgress): void {
    this.#byPartition.set(`${p.topic}:${p.partition}`, {
      storeName: p.storeName,
      topic: p.topic,
      partition: p.partition,
      startOffset: p.startOffset,
      endOffset: p.endOffset,
      restored: 0,
      startedAtMs: this.#now(),
      endedAtMs: undefined,
    });
  }

  onBatchRestored(p: RestoreProgress): void {
    const s = this.#byPartition.get(`${p.topic}:${p.partition}`);
    if (s) s.restored += p.restored;
    this.restoredTotal += p.restored;
  }

  onRestoreEnd(p: RestoreProgress): void {
    const s = this.#byPartition.get(`${p.topic}:${p.partition}`);
    if (s) {
      s.restored = p.restored;
      s.endedAtMs = this.#now();
    }
  }

  /** Every restoration seen, the latest per changelog partition. */
  all(): StoreRestoreState[] {
    return [...this.#byPartition.values()];
  }

  /** Records still to restore (0 once done). */
  static remaining(s: StoreRestoreState): number {
    return s.endedAtMs !== undefined ? 0 : Math.max(0, s.endOffset - s.startOffset - s.restored);
  }

  /** Records per second over the restoration so far. */
  static rate(s: StoreRestoreState, nowMs: number): number {
    const seconds = ((s.endedAtMs ?? nowMs) - s.startedAtMs) / 1000;
    return seconds > 0 ? s.restored / seconds : 0;
  }
}

/** Calls each listener in turn. */
export function composeRestoreListeners(
  ...listeners: readonly (StateRestoreListener | undefined)[]
): StateRestoreListener {
  const present = listeners.filter((l): l is StateRestoreListener => l !== undefined);
  return {
    onRestoreStart: (p) => present.forEach((l) => l.onRestoreStart?.(p)),
    onBatchRestored: (p) => present.forEach((l) => l.onBatchRestored?.(p)),
    onRestoreEnd: (p) => present.forEach((l) => l.onRestoreEnd?.(p)),
  };
}
