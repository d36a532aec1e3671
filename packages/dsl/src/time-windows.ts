import type { Window } from '@kaskade/processor-api';
import { TopologyError } from '@kaskade/processor-api';
import { checkDuration } from './internal/check-duration.js';

/**
 * Fixed-size windows aligned to the epoch: tumbling (advance = size) or hopping (advance < size). A window is
 * [start, start + size), start a multiple of the advance; a record at time t belongs to every window with
 * start <= t < start + size (size / advance windows for hopping windows).
 *
 * A record is late, and dropped (counted as `late` in the dropped-records metric), for each of its windows whose
 * end + grace <= stream time.
 *
 * ```ts
 * TimeWindows.ofSizeWithNoGrace(60_000);                     // tumbling minutes
 * TimeWindows.ofSizeAndGrace(300_000, 30_000).advanceBy(60_000); // 5-minute windows every minute
 * ```
 * @see org.apache.kafka.streams.kstream.TimeWindows
 */
export class TimeWindows {
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;

  private constructor(sizeMs: number, advanceMs: number, graceMs: number) {
    this.sizeMs = sizeMs;
    this.advanceMs = advanceMs;
    this.graceMs = graceMs;
    Object.freeze(this);
  }

  /** Tumbling windows of `sizeMs` without a grace period: a record is late once its window has ended. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` that accept out-of-order records until window end + `graceMs`. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkDuration('TimeWindows size', sizeMs, 1);
    checkDuration('TimeWindows grace', graceMs, 0);
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Hopping windows: a new window starts every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkDuration('TimeWindows advance', advanceMs, 1);
    if (advanceMs > this.sizeMs) {
      throw new TopologyError(`TimeWindows advance (${advanceMs}) must not be larger than the size (${this.sizeMs})`);
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** The windows a record at `timestampMs` falls into, by start time; none start before 0. */
  windowsFor(timestampMs: number): Window[] {
    const size = this.sizeMs;
    const advance = this.advanceMs;
    let start = Math.floor(Math.max(0, timestampMs - size + advance) / advance) * advance;
    const out: Window[] = [];
    while (start <= timestampMs) {
      out.push({ start, end: start + size });
      start += advance;
    }
    return out;
  }
}
