import { checkDuration } from './internal/check-duration.js';

/**
 * Session windows: per key, records less than the inactivity gap apart belong to one session [first, last] (both
 * inclusive). A record that falls within the gap of one or more sessions extends or merges them: each merged-away
 * session is retracted downstream with a tombstone, then the merged session is emitted.
 *
 * A record is late, and dropped (counted as `late`), when the session it would create or extend ends before stream
 * time - grace (as Kafka Streams: session end + grace < stream time, because a session's end is inclusive).
 *
 * ```ts
 * grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(300_000, 60_000)).count();
 * ```
 * @see org.apache.kafka.streams.kstream.SessionWindows
 */
export class SessionWindows {
  readonly inactivityGapMs: number;
  readonly graceMs: number;

  private constructor(inactivityGapMs: number, graceMs: number) {
    this.inactivityGapMs = inactivityGapMs;
    this.graceMs = graceMs;
    Object.freeze(this);
  }

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0);
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    checkDuration('SessionWindows inactivity gap', inactivityGapMs, 1);
    checkDuration('SessionWindows grace', graceMs, 0);
    return new SessionWindows(inactivityGapMs, graceMs);
  }
}
