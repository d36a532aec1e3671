import type { Cancellable, PunctuationType, Punctuator } from '@kaskade/processor-api';

/** One scheduled punctuation of one processor node. */
export interface ScheduledPunctuation extends Cancellable {
  readonly type: PunctuationType;
  readonly intervalMs: number;
  readonly nodeName: string;
  readonly punctuator: Punctuator;
  /** The next time (stream or wall-clock) at which it fires. */
  nextMs: number;
  cancelled: boolean;
}

/**
 * Punctuations of one task and one kind of time. Checking is O(1) when nothing is due (the smallest next time is
 * cached), so stream-time punctuation can be checked after every record.
 */
export class PunctuationSchedule {
  readonly #items: ScheduledPunctuation[] = [];
  #earliest = Number.POSITIVE_INFINITY;

  add(
    type: PunctuationType,
    intervalMs: number,
    nodeName: string,
    punctuator: Punctuator,
    startMs: number,
  ): Cancellable {
    const item: ScheduledPunctuation = {
      type,
      intervalMs,
      nodeName,
      punctuator,
      nextMs: startMs,
      cancelled: false,
      cancel: () => {
        item.cancelled = true;
      },
    };
    this.#items.push(item);
    if (startMs < this.#earliest) this.#earliest = startMs;
    return item;
  }

  /** True when some punctuation is due at `nowMs`. */
  due(nowMs: number): boolean {
    return nowMs >= this.#earliest;
  }

  /**
   * Fires every due punctuation once (Kafka Streams fires once per check even when several intervals passed, then
   * schedules the next multiple after now) and returns how many fired.
   */
  fire(nowMs: number, run: (item: ScheduledPunctuation, timestampMs: number) => void): number {
    let fired = 0;
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.#items.length; i++) {
      const item = this.#items[i]!;
      if (item.cancelled) {
        this.#items.splice(i--, 1);
        continue;
      }
      if (nowMs >= item.nextMs) {
        const intervals = Math.floor((nowMs - item.nextMs) / item.intervalMs) + 1;
        item.nextMs += intervals * item.intervalMs;
        run(item, nowMs);
        fired++;
      }
      if (!item.cancelled && item.nextMs < earliest) earliest = item.nextMs;
    }
    this.#earliest = earliest;
    return fired;
  }
}
