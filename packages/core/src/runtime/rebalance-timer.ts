import type { Logger } from '../config/logger.js';

/**
 * Measures where a rebalance spends its time and logs it at info level, once per rebalance: waiting for the group
 * (join and assignment: from the start of the rebalance — the subscription or the revocation handed back — to the
 * assignment), the commit before giving partitions up, opening the new tasks' stores, restoring them, and the time
 * from the assignment to the first record processed. The numbers tell which phase to attack.
 */
export class RebalanceTimer {
  readonly #logger: Logger;
  /** When the instance last started waiting for the group: subscribed, or handed its revoked partitions back. */
  #waitingSince: number | undefined;
  #revocationCommitMs = 0;
  #assignedAt: number | undefined;
  #rebalances = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Subscribed (first join), or partitions revoked and handed back: the group's part begins. */
  waiting(now = Date.now()): void {
    this.#waitingSince = now;
  }

  /** The commit made before giving partitions up took this long. */
  revocationCommitted(ms: number): void {
    this.#revocationCommitMs += ms;
  }

  /**
   * The assignment has been handled. `arrivedAt` is when the consumer delivered it; the store and restore times are
   * for the tasks it created.
   */
  assigned(details: {
    arrivedAt: number;
    partitions: number;
    newTasks: number;
    storeOpenMs: number;
    restoreMs: number;
    restoredRecords: number;
  }): void {
    const now = Date.now();
    const join = this.#waitingSince === undefined ? undefined : Math.max(0, details.arrivedAt - this.#waitingSince);
    this.#rebalances++;
    this.#logger.info(
      `rebalance #${this.#rebalances} phases: join/assignment ${join === undefined ? 'n/a' : `${join} ms`}, ` +
        `revocation commit ${this.#revocationCommitMs} ms, store open ${details.storeOpenMs} ms, ` +
        `restore ${details.restoreMs} ms (${details.restoredRecords} records); ${details.partitions} partitions, ` +
        `${details.newTasks} new tasks; ${now - details.arrivedAt} ms from assignment to ready`,
      {
        rebalance: this.#rebalances,
        joinMs: join,
        revocationCommitMs: this.#revocationCommitMs,
        storeOpenMs: details.storeOpenMs,
        restoreMs: details.restoreMs,
        restoredRecords: details.restoredRecords,
      },
    );
    this.#waitingSince = undefined;
    this.#revocationCommitMs = 0;
    this.#assignedAt = now;
  }

  /** True until the first record after the last assignment; checked once per batch. */
  get awaitingFirstRecord(): boolean {
    return this.#assignedAt !== undefined;
  }

  /** The first record after the last assignment was processed. */
  firstRecord(): void {
    if (this.#assignedAt === undefined) return;
    const ms = Date.now() - this.#assignedAt;
    this.#assignedAt = undefined;
    this.#logger.info(`rebalance #${this.#rebalances} phases: first record ${ms} ms after the assignment`, {
      rebalance: this.#rebalances,
      firstRecordMs: ms,
    });
  }
}
