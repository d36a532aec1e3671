import { TopologyError } from '@kaskade/processor-api';

/** Options of `EmitStrategy.onWindowClose`. */
export interface WindowCloseOptions {
  /**
   * Also close windows on the wall clock: a window's final result is emitted once wall-clock time passes its end +
   * grace, even when no record arrives to advance stream time (a quiet partition no longer holds results back).
   * Record timestamps must then be wall-clock times. Default false (stream time only, as Kafka Streams).
   */
  readonly wallClock?: boolean;
  /** How often the wall clock is checked, in ms (default 1000). */
  readonly checkIntervalMs?: number;
}

/** The wall clock's default check interval: one punctuation per task and second. */
export const DEFAULT_WALL_CLOCK_CHECK_MS = 1000;

/** Checks a wall-clock check interval given by the user. @internal */
export function checkWallClockInterval(ms: number, where: string): number {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new TopologyError(`${where}: the wall-clock check interval must be an integer > 0 (ms), got ${String(ms)}`);
  }
  return ms;
}

/**
 * When a windowed aggregation emits: on every update (the default), or once per window when it closes (stream time
 * passes window end + grace; with `{ wallClock: true }` also when wall-clock time does).
 *
 * ```ts
 * grouped.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000)).emitStrategy(EmitStrategy.onWindowClose()).count();
 * // results of a quiet partition too, at most ~1 s after end + grace on the wall clock:
 * grouped.windowedBy(windows).emitStrategy(EmitStrategy.onWindowClose({ wallClock: true })).count();
 * ```
 * @see org.apache.kafka.streams.kstream.EmitStrategy
 */
export class EmitStrategy {
  readonly type: 'on-window-update' | 'on-window-close';
  /** Windows also close on the wall clock, checked this often (ms); undefined: stream time only. @internal */
  readonly wallClockCheckMs: number | undefined;

  private constructor(type: 'on-window-update' | 'on-window-close', wallClockCheckMs: number | undefined) {
    this.type = type;
    this.wallClockCheckMs = wallClockCheckMs;
    Object.freeze(this);
  }

  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('on-window-update', undefined);
  }

  static onWindowClose(options: WindowCloseOptions = {}): EmitStrategy {
    const interval = options.checkIntervalMs ?? DEFAULT_WALL_CLOCK_CHECK_MS;
    checkWallClockInterval(interval, 'EmitStrategy.onWindowClose');
    if (options.checkIntervalMs !== undefined && options.wallClock !== true) {
      throw new TopologyError('EmitStrategy.onWindowClose: checkIntervalMs needs wallClock: true');
    }
    return new EmitStrategy('on-window-close', options.wallClock === true ? interval : undefined);
  }
}
