/**
 * A token bucket for `maxRecordsPerSecond`: the poll loop asks how many records its next batch may take, and waits
 * (one timer per batch, never per record) while the bucket is empty — fetching simply stops until tokens refill, so
 * nothing else is slowed and no record waits inside the topology. The bucket holds half a second's worth: enough
 * that a slow iteration (a commit, a poll that waits) loses no tokens, little enough that a pause never lets a long
 * burst through afterwards.
 */
export class RecordRateLimiter {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  #tokens: number;
  #lastMs: number;
  /** Milliseconds spent waiting for tokens (`StreamsMetrics.throttledMs`). */
  throttledMs = 0;

  constructor(recordsPerSecond: number, nowMs = Date.now()) {
    this.#ratePerMs = recordsPerSecond / 1000;
    this.#capacity = Math.max(1, recordsPerSecond / 2);
    this.#tokens = this.#capacity;
    this.#lastMs = nowMs;
  }

  /** The records the next batch may take (>= 1, <= max), after waiting until at least one token is there. */
  async permits(max: number): Promise<number> {
    this.#refill(Date.now());
    if (this.#tokens < 1) {
      const waitMs = Math.ceil((1 - this.#tokens) / this.#ratePerMs);
      this.throttledMs += waitMs;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      this.#refill(Date.now());
    }
    return Math.max(1, Math.min(max, Math.floor(this.#tokens)));
  }

  /** Takes the tokens of the records a batch actually got. */
  taken(records: number): void {
    this.#tokens -= records;
  }

  #refill(nowMs: number): void {
    this.#tokens = Math.min(this.#capacity, this.#tokens + (nowMs - this.#lastMs) * this.#ratePerMs);
    this.#lastMs = nowMs;
  }
}
