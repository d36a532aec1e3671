import { TopologyError } from '@kaskade/processor-api';
import type { BufferConfig } from './buffer-config.js';
import { checkWallClockInterval, DEFAULT_WALL_CLOCK_CHECK_MS } from './emit-strategy.js';
import { checkName } from './named.js';

interface SuppressedProps {
  readonly kind: 'until-window-closes' | 'until-time-limit';
  readonly timeLimitMs: number;
  readonly bufferConfig: BufferConfig;
  readonly name?: string | undefined;
  readonly loggingEnabled: boolean;
  readonly logConfig: Readonly<{ [key: string]: string }>;
  readonly wallClockCheckMs?: number | undefined;
}

/**
 * How `KTable.suppress` holds back updates. `untilWindowCloses` emits exactly one final result per window of a
 * windowed aggregation, once stream time passes the window's end plus its grace period; `untilTimeLimit` emits the
 * latest value of a key once stream time has passed its first buffered update's timestamp plus the limit.
 *
 * The buffer is backed by a store logged to `<applicationId>-<name>-changelog`, so held-back updates survive a
 * restart or a task move.
 *
 * ```ts
 * counts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('final-counts');
 * ```
 * @see org.apache.kafka.streams.kstream.Suppressed
 */
export class Suppressed {
  /** @internal */
  readonly kind: 'until-window-closes' | 'until-time-limit';
  /** For `untilTimeLimit`: how long to wait (ms of stream time) after a key's first buffered update. @internal */
  readonly timeLimitMs: number;
  /** @internal */
  readonly bufferConfig: BufferConfig;
  /** @internal */
  readonly name: string | undefined;
  /** @internal */
  readonly loggingEnabled: boolean;
  /** @internal */
  readonly logConfig: Readonly<{ [key: string]: string }>;
  /** `withWallClockClose`: windows also close on the wall clock, checked this often (ms). @internal */
  readonly wallClockCheckMs: number | undefined;

  private constructor(props: SuppressedProps) {
    if (props.name !== undefined) checkName(props.name, 'Suppressed');
    this.kind = props.kind;
    this.timeLimitMs = props.timeLimitMs;
    this.bufferConfig = props.bufferConfig;
    this.name = props.name;
    this.loggingEnabled = props.loggingEnabled;
    this.logConfig = props.logConfig;
    this.wallClockCheckMs = props.wallClockCheckMs;
    Object.freeze(this);
  }

  /**
   * One final result per window, when the window closes. The buffer must not emit early (`BufferConfig.unbounded()`
   * or a bound with `shutDownWhenFull()`), or results would not be final.
   */
  static untilWindowCloses(bufferConfig: BufferConfig): Suppressed {
    if (bufferConfig.whenFull === 'emit-early') {
      throw new TopologyError(
        'Suppressed.untilWindowCloses needs a buffer that never emits early: use BufferConfig.unbounded() or add shutDownWhenFull()',
      );
    }
    return new Suppressed({
      kind: 'until-window-closes',
      timeLimitMs: 0,
      bufferConfig,
      loggingEnabled: true,
      logConfig: {},
    });
  }

  /** The latest update of a key, `timeToWaitMs` of stream time after its first buffered update. */
  static untilTimeLimit(timeToWaitMs: number, bufferConfig: BufferConfig): Suppressed {
    if (!(Number.isSafeInteger(timeToWaitMs) && timeToWaitMs >= 0)) {
      throw new TopologyError(`Suppressed.untilTimeLimit needs an integer >= 0 (ms), got ${timeToWaitMs}`);
    }
    return new Suppressed({
      kind: 'until-time-limit',
      timeLimitMs: timeToWaitMs,
      bufferConfig,
      loggingEnabled: true,
      logConfig: {},
    });
  }

  /**
   * `untilWindowCloses` only: a window also closes once wall-clock time passes its end + grace, checked every
   * `checkIntervalMs` (default 1000), so the final result of a quiet partition is not held back until the next record.
   * Record timestamps must be wall-clock times. A later update of a window closed this way is dropped (counted as
   * `window-closed`), so each window still has one final result.
   */
  withWallClockClose(checkIntervalMs: number = DEFAULT_WALL_CLOCK_CHECK_MS): Suppressed {
    if (this.kind !== 'until-window-closes') {
      throw new TopologyError('Suppressed.withWallClockClose applies to untilWindowCloses, not untilTimeLimit');
    }
    checkWallClockInterval(checkIntervalMs, 'Suppressed.withWallClockClose');
    return new Suppressed({ ...this.#props(), wallClockCheckMs: checkIntervalMs });
  }

  /** Names the suppression processor; its buffer store is `<name>-store`. */
  withName(name: string): Suppressed {
    return new Suppressed({ ...this.#props(), name });
  }

  withLoggingEnabled(config: { [key: string]: string } = {}): Suppressed {
    return new Suppressed({ ...this.#props(), loggingEnabled: true, logConfig: Object.freeze({ ...config }) });
  }

  /** The buffer is then lost on a restart: suppressed updates that were not emitted yet are never emitted. */
  withLoggingDisabled(): Suppressed {
    return new Suppressed({ ...this.#props(), loggingEnabled: false, logConfig: {} });
  }

  #props(): SuppressedProps {
    return {
      kind: this.kind,
      timeLimitMs: this.timeLimitMs,
      bufferConfig: this.bufferConfig,
      name: this.name,
      loggingEnabled: this.loggingEnabled,
      logConfig: this.logConfig,
      wallClockCheckMs: this.wallClockCheckMs,
    };
  }
}
