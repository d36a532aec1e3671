// The typed iterator handed to processors: decodes entries lazily, one at a time, and is tracked by its store so that
// closing the store closes it (an open LMDB cursor holds a read snapshot).
import type { KeyValue, KeyValueIterator } from '@kaskade/processor-api';
import { InvalidStateStoreError } from '@kaskade/processor-api';
import type { RawEntry, RawIterator } from './raw-iterator.js';

/** The open iterators of one store. */
export class IteratorRegistry {
  readonly #storeName: string;
  readonly #open = new Set<StoreIterator<unknown, unknown>>();

  constructor(storeName: string) {
    this.#storeName = storeName;
  }

  get openCount(): number {
    return this.#open.size;
  }

  create<K, V>(
    source: RawIterator,
    decodeKey: (entry: RawEntry) => K,
    decodeValue: (entry: RawEntry) => V,
  ): StoreIterator<K, V> {
    const iterator = new StoreIterator(this, this.#storeName, source, decodeKey, decodeValue);
    this.#open.add(iterator as StoreIterator<unknown, unknown>);
    return iterator;
  }

  /** @internal */
  closed(iterator: StoreIterator<unknown, unknown>): void {
    this.#open.delete(iterator);
  }

  /** Closes every open iterator; their further use throws. */
  closeAll(): void {
    for (const iterator of Array.from(this.#open)) iterator.invalidate();
    this.#open.clear();
  }
}

export class StoreIterator<K, V> implements KeyValueIterator<K, V> {
  readonly #registry: IteratorRegistry;
  readonly #storeName: string;
  #source: RawIterator | undefined;
  readonly #decodeKey: (entry: RawEntry) => K;
  readonly #decodeValue: (entry: RawEntry) => V;
  #storeClosed = false;

  constructor(
    registry: IteratorRegistry,
    storeName: string,
    source: RawIterator,
    decodeKey: (entry: RawEntry) => K,
    decodeValue: (entry: RawEntry) => V,
  ) {
    this.#registry = registry;
    this.#storeName = storeName;
    this.#source = source;
    this.#decodeKey = decodeKey;
    this.#decodeValue = decodeValue;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<KeyValue<K, V>, undefined> {
    const source = this.#live();
    const entry = source?.next();
    if (entry === undefined) {
      this.close(); // exhausted: release the cursor now
      return { done: true, value: undefined };
    }
    return { done: false, value: { key: this.#decodeKey(entry), value: this.#decodeValue(entry) } };
  }

  /** Leaving a for...of early (break, return, throw) calls this: the iterator closes. */
  return(): IteratorResult<KeyValue<K, V>, undefined> {
    this.close();
    return { done: true, value: undefined };
  }

  peekNextKey(): K | undefined {
    const entry = this.#live()?.peek();
    return entry === undefined ? undefined : this.#decodeKey(entry);
  }

  close(): void {
    const source = this.#source;
    if (source === undefined) return;
    this.#source = undefined;
    source.close();
    this.#registry.closed(this as StoreIterator<unknown, unknown>);
  }

  /** @internal The store closed. */
  invalidate(): void {
    this.#storeClosed = true;
    this.close();
  }

  #live(): RawIterator | undefined {
    if (this.#storeClosed) {
      throw new InvalidStateStoreError(`store "${this.#storeName}" is closed; its iterator cannot be used`, {
        context: { store: this.#storeName },
      });
    }
    return this.#source;
  }
}
