import type { KeyValue, KeyValueIterator } from '@kaskade/processor-api';

/**
 * The entries of an iterator in reverse order. It drains (and closes) the source first, holding its entries in
 * memory: for backward queries (`backwardFetch`, `backwardAll`), which no DSL operator uses on its hot path.
 */
export function reversed<K, V>(source: KeyValueIterator<K, V>): KeyValueIterator<K, V> {
  const entries: KeyValue<K, V>[] = [];
  try {
    for (let r = source.next(); !r.done; r = source.next()) entries.push(r.value);
  } finally {
    source.close();
  }
  let i = entries.length;
  const it: KeyValueIterator<K, V> = {
    next: (): IteratorResult<KeyValue<K, V>> =>
      i > 0 ? { done: false, value: entries[--i]! } : { done: true, value: undefined },
    peekNextKey: () => (i > 0 ? entries[i - 1]!.key : undefined),
    close: () => {
      i = 0;
    },
    return: (): IteratorResult<KeyValue<K, V>> => {
      i = 0;
      return { done: true, value: undefined };
    },
    [Symbol.iterator]: () => it,
  };
  return it;
}
