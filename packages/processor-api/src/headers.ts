/** One record header. A header value may be null, as in Kafka. */
export interface Header {
  readonly key: string;
  readonly value: Buffer | null;
}

/**
 * The headers of a record: an ordered list in which a key may repeat, as in Kafka.
 *
 * Headers are values: `add`/`remove` return new instances so that a record forwarded to several children cannot
 * be changed behind one child's back.
 *
 * @see org.apache.kafka.common.header.Headers
 */
export class Headers implements Iterable<Header> {
  static readonly EMPTY: Headers = new Headers([]);
  readonly #items: readonly Header[];

  private constructor(items: readonly Header[]) {
    this.#items = items;
  }

  /** Headers from a list (or the empty headers). Strings are stored as UTF-8. */
  static of(items: readonly { key: string; value: Buffer | string | null }[] = []): Headers {
    if (items.length === 0) return Headers.EMPTY;
    return new Headers(
      items.map((h) => ({ key: h.key, value: typeof h.value === 'string' ? Buffer.from(h.value) : h.value })),
    );
  }

  get size(): number {
    return this.#items.length;
  }

  /** New headers with one more header at the end. */
  add(key: string, value: Buffer | string | null): Headers {
    return new Headers([...this.#items, { key, value: typeof value === 'string' ? Buffer.from(value) : value }]);
  }

  /** New headers without any header of this key. */
  remove(key: string): Headers {
    return new Headers(this.#items.filter((h) => h.key !== key));
  }

  /** The last header with this key, as Kafka's `lastHeader`. */
  lastHeader(key: string): Header | undefined {
    for (let i = this.#items.length - 1; i >= 0; i--) {
      const h = this.#items[i]!;
      if (h.key === key) return h;
    }
    return undefined;
  }

  /** The last value of this key decoded as UTF-8, or undefined. */
  lastString(key: string): string | undefined {
    const v = this.lastHeader(key)?.value;
    return v == null ? undefined : v.toString('utf8');
  }

  headers(key: string): Header[] {
    return this.#items.filter((h) => h.key === key);
  }

  toArray(): readonly Header[] {
    return this.#items;
  }

  [Symbol.iterator](): Iterator<Header> {
    return this.#items[Symbol.iterator]();
  }
}
