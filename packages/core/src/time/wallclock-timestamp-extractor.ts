import type { TimestampExtractor } from '@kaskade/processor-api';

/**
 * Gives every record the current wall-clock time (processing time) instead of its own timestamp. Results then
 * depend on when records are processed, so a replay gives different windows.
 *
 * @see org.apache.kafka.streams.processor.WallclockTimestampExtractor
 */
export class WallclockTimestampExtractor implements TimestampExtractor {
  readonly #now: () => number;

  /** @param now the clock, `Date.now` by default (tests pass their own) */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  extract(): number {
    return this.#now();
  }
}
