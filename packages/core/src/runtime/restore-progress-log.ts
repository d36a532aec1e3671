import type { Logger } from '../config/logger.js';

/**
 * Logs the progress of a long restoration every `intervalMs` (percent, records/s, time left), so an operator
 * watching a slow start knows it is moving and when it will be done. Short restorations log nothing here (the
 * restorer logs one summary line per store at the end).
 */
export class RestoreProgressLog {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #total: number;
  readonly #what: string;
  readonly #startedMs: number;
  #lastLogMs: number;
  #restored = 0;

  /**
   * @param total records to restore over all changelog partitions of this round
   * @param what the stores being restored, for the message
   */
  constructor(logger: Logger, total: number, what: string, intervalMs = 5_000, now: () => number = Date.now) {
    this.#logger = logger;
    this.#total = total;
    this.#what = what;
    this.#intervalMs = intervalMs;
    this.#now = now;
    this.#startedMs = now();
    this.#lastLogMs = this.#startedMs;
  }

  /** After each applied batch: logs when the interval has passed since the last line. */
  restored(records: number): void {
    this.#restored += records;
    const now = this.#now();
    if (now - this.#lastLogMs < this.#intervalMs) return;
    this.#lastLogMs = now;
    const seconds = (now - this.#startedMs) / 1000;
    const rate = seconds > 0 ? this.#restored / seconds : 0;
    const left = Math.max(0, this.#total - this.#restored);
    const percent = this.#total > 0 ? Math.min(100, (100 * this.#restored) / this.#total) : 100;
    const eta = rate > 0 ? `about ${formatSeconds(left / rate)} left` : 'time left unknown';
    this.#logger.info(
      `restoring ${this.#what}: ${percent.toFixed(1)}% (${this.#restored} of ${this.#total} records), ${Math.round(rate)} records/s, ${eta}`,
      { restored: this.#restored, total: this.#total, recordsPerSecond: Math.round(rate), percent },
    );
  }
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
