// Iterators over byte entries, the currency between the store layers. They are pull-based with a one-entry
// look-ahead (`peek`), synchronous, and allocate nothing per entry beyond what the sources hand out.
import type { MapCursor } from './sorted-key-map.js';

/** A stored entry. */
export interface RawEntry {
  readonly key: Buffer;
  readonly value: Buffer;
}

/** An entry of an overlay (the write buffer or the record cache): a null value is a delete that hides lower layers. */
export interface OverlayEntry {
  readonly key: Buffer;
  value: Buffer | null;
}

export interface RawIterator {
  /** The next entry without consuming it. */
  peek(): RawEntry | undefined;
  /** Consumes and returns the next entry. */
  next(): RawEntry | undefined;
  /** Releases resources (an LMDB cursor); idempotent. */
  close(): void;
}

class EmptyRawIterator implements RawIterator {
  peek(): undefined {
    return undefined;
  }
  next(): undefined {
    return undefined;
  }
  close(): void {}
}

export const EMPTY_ITERATOR: RawIterator = new EmptyRawIterator();

/** Entries of an in-memory map whose values are never null (an in-memory backend). */
export class CursorIterator implements RawIterator {
  readonly #cursor: MapCursor<RawEntry>;

  constructor(cursor: MapCursor<RawEntry>) {
    this.#cursor = cursor;
  }

  peek(): RawEntry | undefined {
    return this.#cursor.peek();
  }

  next(): RawEntry | undefined {
    const entry = this.#cursor.peek();
    if (entry !== undefined) this.#cursor.advance();
    return entry;
  }

  close(): void {}
}

/**
 * An overlay (write buffer or cache) merged over a lower iterator in key order: where both hold a key the overlay
 * wins, and an overlay delete hides the lower entry.
 */
export class OverlayMergeIterator implements RawIterator {
  readonly #overlay: MapCursor<OverlayEntry>;
  readonly #lower: RawIterator;
  readonly #reverse: boolean;
  #head: RawEntry | undefined;
  #ready = false;

  constructor(overlay: MapCursor<OverlayEntry>, lower: RawIterator, reverse: boolean) {
    this.#overlay = overlay;
    this.#lower = lower;
    this.#reverse = reverse;
  }

  peek(): RawEntry | undefined {
    if (!this.#ready) {
      this.#head = this.#compute();
      this.#ready = true;
    }
    return this.#head;
  }

  next(): RawEntry | undefined {
    const head = this.peek();
    this.#ready = false;
    return head;
  }

  close(): void {
    this.#lower.close();
  }

  #compute(): RawEntry | undefined {
    for (;;) {
      const upper = this.#overlay.peek();
      const lower = this.#lower.peek();
      if (upper === undefined) return this.#lower.next();
      if (lower !== undefined) {
        const order = Buffer.compare(upper.key, lower.key);
        if (this.#reverse ? order < 0 : order > 0) return this.#lower.next();
        if (order === 0) this.#lower.next();
      }
      this.#overlay.advance();
      if (upper.value !== null) return upper as RawEntry;
    }
  }
}

/** Concatenates iterators created one at a time (so that at most one LMDB cursor is open). */
export class ConcatIterator implements RawIterator {
  readonly #sources: readonly (() => RawIterator)[];
  #index = 0;
  #current: RawIterator | undefined;

  constructor(sources: readonly (() => RawIterator)[]) {
    this.#sources = sources;
  }

  peek(): RawEntry | undefined {
    for (;;) {
      if (this.#current === undefined) {
        const source = this.#sources[this.#index++];
        if (source === undefined) return undefined;
        this.#current = source();
      }
      const entry = this.#current.peek();
      if (entry !== undefined) return entry;
      this.#current.close();
      this.#current = undefined;
    }
  }

  next(): RawEntry | undefined {
    const entry = this.peek();
    if (entry !== undefined) this.#current!.next();
    return entry;
  }

  close(): void {
    this.#current?.close();
    this.#current = undefined;
    this.#index = this.#sources.length;
  }
}

/** Skips entries that fail the predicate. */
export class FilterIterator implements RawIterator {
  readonly #source: RawIterator;
  readonly #accept: (entry: RawEntry) => boolean;

  constructor(source: RawIterator, accept: (entry: RawEntry) => boolean) {
    this.#source = source;
    this.#accept = accept;
  }

  peek(): RawEntry | undefined {
    for (;;) {
      const entry = this.#source.peek();
      if (entry === undefined || this.#accept(entry)) return entry;
      this.#source.next();
    }
  }

  next(): RawEntry | undefined {
    const entry = this.peek();
    if (entry !== undefined) this.#source.next();
    return entry;
  }

  close(): void {
    this.#source.close();
  }
}

/** Entries collected into an array (already in the order they are to be read). */
export class ArrayRawIterator implements RawIterator {
  readonly #entries: readonly RawEntry[];
  #at = 0;

  constructor(entries: readonly RawEntry[]) {
    this.#entries = entries;
  }

  peek(): RawEntry | undefined {
    return this.#entries[this.#at];
  }

  next(): RawEntry | undefined {
    const entry = this.#entries[this.#at];
    if (entry !== undefined) this.#at++;
    return entry;
  }

  close(): void {
    this.#at = this.#entries.length;
  }
}
