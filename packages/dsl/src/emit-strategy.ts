/**
 * When a windowed aggregation emits: on every update (the default), or once per window when it closes (stream time
 * passes window end + grace).
 *
 * ```ts
 * grouped.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000)).emitStrategy(EmitStrategy.onWindowClose()).count();
 * ```
 * @see org.apache.kafka.streams.kstream.EmitStrategy
 */
export class EmitStrategy {
  readonly type: 'on-window-update' | 'on-window-close';

  private constructor(type: 'on-window-update' | 'on-window-close') {
    this.type = type;
    Object.freeze(this);
  }

  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('on-window-update');
  }

  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('on-window-close');
  }
}
