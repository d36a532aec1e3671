import { checkDuration } from './internal/check-duration.js';

/**
 * Fixed-size windows that slide with the records, for aggregations: every record at time t defines the window
 * [t - timeDifference, t] (both ends inclusive), and a window exists for every distinct set of records that fall
 * within the time difference of each other. Output windows have start = end - timeDifference.
 *
 * A record is dropped as late (counted as `late`) when even its own window has closed: t + grace < stream time for
 * its left window, and for each existing window it would update, when window end + grace < stream time.
 *
 * ```ts
 * grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10_000, 1_000)).count();
 * ```
 * @see org.apache.kafka.streams.kstream.SlidingWindows
 */
export class SlidingWindows {
  readonly timeDifferenceMs: number;
  readonly graceMs: number;

  private constructor(timeDifferenceMs: number, graceMs: number) {
    this.timeDifferenceMs = timeDifferenceMs;
    this.graceMs = graceMs;
    Object.freeze(this);
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    checkDuration('SlidingWindows time difference', timeDifferenceMs, 1);
    checkDuration('SlidingWindows grace', graceMs, 0);
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }
}
