import { TopologyError } from '@kaskade/processor-api';

/** What a full suppression buffer does: emit its oldest records early, or stop the application with an error. */
export type BufferFullStrategy = 'emit-early' | 'shut-down';

/**
 * Bounds of a suppression buffer and what happens when it is full.
 *
 * ```ts
 * Suppressed.untilWindowCloses(BufferConfig.unbounded());
 * Suppressed.untilTimeLimit(60_000, BufferConfig.maxRecords(10_000).emitEarlyWhenFull());
 * ```
 * @see org.apache.kafka.streams.kstream.Suppressed.BufferConfig
 */
export class BufferConfig {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly whenFull: BufferFullStrategy;

  private constructor(maxRecords: number, maxBytes: number, whenFull: BufferFullStrategy) {
    for (const [field, v] of [
      ['maxRecords', maxRecords],
      ['maxBytes', maxBytes],
    ] as const) {
      if (!(v === Number.POSITIVE_INFINITY || (Number.isSafeInteger(v) && v >= 1))) {
        throw new TopologyError(`BufferConfig ${field} must be an integer >= 1 or unbounded, got ${v}`);
      }
    }
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.whenFull = whenFull;
    Object.freeze(this);
  }

  /** No bound: the buffer grows as needed (the only choice that keeps final results final without shutting down). */
  static unbounded(): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 'shut-down');
  }

  /** At most `n` records; emits early when full unless `shutDownWhenFull()` is chosen. */
  static maxRecords(n: number): BufferConfig {
    return new BufferConfig(n, Number.POSITIVE_INFINITY, 'emit-early');
  }

  /** At most `n` bytes (keys and values as stored); emits early when full unless `shutDownWhenFull()` is chosen. */
  static maxBytes(n: number): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, n, 'emit-early');
  }

  withMaxRecords(n: number): BufferConfig {
    return new BufferConfig(n, this.maxBytes, this.whenFull);
  }

  withMaxBytes(n: number): BufferConfig {
    return new BufferConfig(this.maxRecords, n, this.whenFull);
  }

  withNoBound(): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 'shut-down');
  }

  /** When full, emit the oldest records before their time (they are then not final). */
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emit-early');
  }

  /** When full, fail the task with an error instead of emitting anything early. */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shut-down');
  }

  /** True when the buffer can hold any number of records. */
  get isUnbounded(): boolean {
    return this.maxRecords === Number.POSITIVE_INFINITY && this.maxBytes === Number.POSITIVE_INFINITY;
  }
}
