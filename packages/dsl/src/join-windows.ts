import { TopologyError } from '@kaskade/processor-api';
import { checkDuration } from './internal/check-duration.js';

/**
 * The time bounds of a stream-stream join: a left record at time t joins right records with timestamps in
 * [t - before, t + after] (both inclusive). By default before = after = the time difference.
 *
 * Left and outer joins emit a record without a partner only once its window has closed — stream time has passed
 * t + after + grace (for a right record, t + before + grace) — so that a partner arriving later within the window is
 * not preceded by a spurious unmatched result.
 *
 * ```ts
 * JoinWindows.ofTimeDifferenceAndGrace(5_000, 1_000);
 * JoinWindows.ofTimeDifferenceWithNoGrace(10_000).before(0); // right record within 10 s after the left one
 * ```
 * @see org.apache.kafka.streams.kstream.JoinWindows
 */
export class JoinWindows {
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;

  private constructor(beforeMs: number, afterMs: number, graceMs: number) {
    if (beforeMs + afterMs < 0) {
      throw new TopologyError(`JoinWindows interval (before ${beforeMs} + after ${afterMs}) must not be negative`);
    }
    this.beforeMs = beforeMs;
    this.afterMs = afterMs;
    this.graceMs = graceMs;
    Object.freeze(this);
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkDuration('JoinWindows time difference', timeDifferenceMs, 0);
    checkDuration('JoinWindows grace', graceMs, 0);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** How far before a left record a right record may be (may be negative, as long as before + after >= 0). */
  before(beforeMs: number): JoinWindows {
    if (!Number.isSafeInteger(beforeMs))
      throw new TopologyError(`JoinWindows before must be an integer, got ${beforeMs}`);
    return new JoinWindows(beforeMs, this.afterMs, this.graceMs);
  }

  /** How far after a left record a right record may be (may be negative, as long as before + after >= 0). */
  after(afterMs: number): JoinWindows {
    if (!Number.isSafeInteger(afterMs)) throw new TopologyError(`JoinWindows after must be an integer, got ${afterMs}`);
    return new JoinWindows(this.beforeMs, afterMs, this.graceMs);
  }

  /** before + after: the size of the join window. */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }
}
