import { InvalidStateStoreError } from '@kaskade/processor-api';
import type {
  KeyValue,
  KeyValueIterator,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  StateStore,
  ValueAndTimestamp,
  Windowed,
  WindowStoreIterator,
} from '@kaskade/processor-api';

/**
 * Which kind of store `KafkaStreams.store()` should return, and how to combine the stores of several local tasks
 * into one read-only view.
 *
 * @see org.apache.kafka.streams.state.QueryableStoreTypes
 */
export interface QueryableStoreType<T> {
  readonly kind: string;
  accepts(store: StateStore): boolean;
  /**
   * One view over the stores of all local tasks (each holds the keys of its partition). `timestamped` says the
   * stores hold `ValueAndTimestamp`s (the DSL's tables), which plain views unwrap as Kafka Streams does.
   */
  compose(name: string, stores: () => readonly StateStore[], timestamped: boolean): T;
}

function concat<K, V>(iterators: KeyValueIterator<K, V>[]): KeyValueIterator<K, V> {
  let i = 0;
  const it: KeyValueIterator<K, V> = {
    next(): IteratorResult<KeyValue<K, V>> {
      while (i < iterators.length) {
        const r = iterators[i]!.next();
        if (!r.done) return r;
        iterators[i]!.close();
        i++;
      }
      return { done: true, value: undefined };
    },
    peekNextKey(): K | undefined {
      while (i < iterators.length) {
        const k = iterators[i]!.peekNextKey();
        if (k !== undefined) return k;
        iterators[i]!.close();
        i++;
      }
      return undefined;
    },
    close(): void {
      for (; i < iterators.length; i++) iterators[i]!.close();
    },
    return(): IteratorResult<KeyValue<K, V>> {
      it.close();
      return { done: true, value: undefined };
    },
    [Symbol.iterator]() {
      return it;
    },
  };
  return it;
}

function mapIterator<K, A, B>(it: KeyValueIterator<K, A>, f: (a: A) => B): KeyValueIterator<K, B> {
  const out: KeyValueIterator<K, B> = {
    next(): IteratorResult<KeyValue<K, B>> {
      const r = it.next();
      return r.done
        ? { done: true, value: undefined }
        : { done: false, value: { key: r.value.key, value: f(r.value.value) } };
    },
    peekNextKey: () => it.peekNextKey(),
    close: () => it.close(),
    return(): IteratorResult<KeyValue<K, B>> {
      it.close();
      return { done: true, value: undefined };
    },
    [Symbol.iterator]() {
      return out;
    },
  };
  return out;
}

/** A plain view of a timestamped store: values without their timestamps. */
function unwrapKeyValue<K, V>(s: ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>): ReadOnlyKeyValueStore<K, V> {
  const v = (x: ValueAndTimestamp<V>) => x.value;
  return {
    get: (key) => s.get(key)?.value,
    range: (from, to) => mapIterator(s.range(from, to), v),
    reverseRange: (from, to) => mapIterator(s.reverseRange(from, to), v),
    all: () => mapIterator(s.all(), v),
    reverseAll: () => mapIterator(s.reverseAll(), v),
    prefixScan: (prefix, ser) => mapIterator(s.prefixScan(prefix, ser), v),
    approximateNumEntries: () => s.approximateNumEntries(),
  };
}

/** A plain view of a timestamped window store (the DSL's windowed aggregations). */
function unwrapWindow<K, V>(s: ReadOnlyWindowStore<K, ValueAndTimestamp<V>>): ReadOnlyWindowStore<K, V> {
  const v = (x: ValueAndTimestamp<V>) => x.value;
  return windowView({
    fetchOne: (key, start) => s.fetch(key, start)?.value,
    fetchKey: (key, from, to, backward) =>
      mapIterator(backward ? s.backwardFetch(key, from, to) : s.fetch(key, from, to), v),
    fetchKeys: (kf, kt, from, to, backward) =>
      mapIterator(backward ? s.backwardFetch(kf, kt, from, to) : s.fetch(kf, kt, from, to), v),
    fetchAll: (from, to, backward) => mapIterator(backward ? s.backwardFetchAll(from, to) : s.fetchAll(from, to), v),
    all: (backward) => mapIterator(backward ? s.backwardAll() : s.all(), v),
  });
}

/** The reads a window view is made of; `windowView` gives them Kafka Streams' overloaded names. */
interface WindowReads<K, V> {
  fetchOne(key: K, windowStartMs: number): V | undefined;
  fetchKey(key: K, fromMs: number, toMs: number, backward: boolean): WindowStoreIterator<V>;
  fetchKeys(
    keyFrom: K | undefined,
    keyTo: K | undefined,
    fromMs: number,
    toMs: number,
    backward: boolean,
  ): KeyValueIterator<Windowed<K>, V>;
  fetchAll(fromMs: number, toMs: number, backward: boolean): KeyValueIterator<Windowed<K>, V>;
  all(backward: boolean): KeyValueIterator<Windowed<K>, V>;
}

function windowView<K, V>(r: WindowReads<K, V>): ReadOnlyWindowStore<K, V> {
  function fetch(key: K, windowStartMs: number): V | undefined;
  function fetch(key: K, fromMs: number, toMs: number): WindowStoreIterator<V>;
  function fetch(kf: K | undefined, kt: K | undefined, fromMs: number, toMs: number): KeyValueIterator<Windowed<K>, V>;
  function fetch(a: K | undefined, b: K | number | undefined, c?: number, d?: number) {
    if (c === undefined) return r.fetchOne(a as K, b as number);
    return d === undefined
      ? r.fetchKey(a as K, b as number, c, false)
      : r.fetchKeys(a, b as K | undefined, c, d, false);
  }
  function backwardFetch(key: K, fromMs: number, toMs: number): WindowStoreIterator<V>;
  function backwardFetch(
    kf: K | undefined,
    kt: K | undefined,
    fromMs: number,
    toMs: number,
  ): KeyValueIterator<Windowed<K>, V>;
  function backwardFetch(a: K | undefined, b: K | number | undefined, c: number, d?: number) {
    return d === undefined ? r.fetchKey(a as K, b as number, c, true) : r.fetchKeys(a, b as K | undefined, c, d, true);
  }
  return {
    fetch,
    backwardFetch,
    fetchAll: (from, to) => r.fetchAll(from, to, false),
    backwardFetchAll: (from, to) => r.fetchAll(from, to, true),
    all: () => r.all(false),
    backwardAll: () => r.all(true),
  };
}

function has(s: StateStore, ...methods: string[]): boolean {
  return methods.every((m) => typeof (s as unknown as { [k: string]: unknown })[m] === 'function');
}

function live<S>(name: string, stores: () => readonly StateStore[]): S[] {
  const list = stores();
  for (const s of list) {
    if (!s.isOpen()) {
      throw new InvalidStateStoreError(`store "${name}" is closed (its task moved or is restoring); retry`, {
        context: { store: name },
      });
    }
  }
  return list as unknown as S[];
}

/** Factories of the queryable store types. */
export const QueryableStoreTypes = Object.freeze({
  keyValueStore<K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, V>> {
    return {
      kind: 'keyValueStore',
      accepts: (s) => has(s, 'get', 'range', 'all', 'put'),
      compose: (name, stores, timestamped) => {
        const all = () => {
          const list = live<ReadOnlyKeyValueStore<K, V>>(name, stores);
          return timestamped
            ? list.map((s) => unwrapKeyValue(s as unknown as ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>))
            : list;
        };
        return {
          get: (key) => {
            for (const s of all()) {
              const v = s.get(key);
              if (v !== undefined) return v;
            }
            return undefined;
          },
          range: (from, to) => concat(all().map((s) => s.range(from, to))),
          reverseRange: (from, to) => concat(all().map((s) => s.reverseRange(from, to))),
          all: () => concat(all().map((s) => s.all())),
          reverseAll: () => concat(all().map((s) => s.reverseAll())),
          prefixScan: (prefix, ser) => concat(all().map((s) => s.prefixScan(prefix, ser))),
          approximateNumEntries: () => all().reduce((n, s) => n + s.approximateNumEntries(), 0),
        };
      },
    };
  },
  /** The DSL's tables as they are stored: each value with the timestamp of its last update. */
  timestampedKeyValueStore<K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>> {
    const plain = QueryableStoreTypes.keyValueStore<K, ValueAndTimestamp<V>>();
    return {
      ...plain,
      kind: 'timestampedKeyValueStore',
      compose: (name, stores) => plain.compose(name, stores, false),
    };
  },
  windowStore<K, V>(): QueryableStoreType<ReadOnlyWindowStore<K, V>> {
    return {
      kind: 'windowStore',
      accepts: (s) => has(s, 'fetch', 'backwardFetch', 'fetchAll'),
      compose: (name, stores, timestamped) => {
        const all = () => {
          const list = live<ReadOnlyWindowStore<K, V>>(name, stores);
          return timestamped
            ? list.map((s) => unwrapWindow(s as unknown as ReadOnlyWindowStore<K, ValueAndTimestamp<V>>))
            : list;
        };
        // A key lives in one task's store, so its windows come from one store, in order. Ranges over keys and
        // all windows concatenate the tasks' stores: by key within each task (backward: reversed per task).
        return windowView<K, V>({
          fetchOne: (key, start) => {
            for (const s of all()) {
              const v = s.fetch(key, start);
              if (v !== undefined) return v;
            }
            return undefined;
          },
          fetchKey: (key, from, to, backward): WindowStoreIterator<V> =>
            concat(all().map((s) => (backward ? s.backwardFetch(key, from, to) : s.fetch(key, from, to)))),
          fetchKeys: (kf, kt, from, to, backward): KeyValueIterator<Windowed<K>, V> =>
            concat(all().map((s) => (backward ? s.backwardFetch(kf, kt, from, to) : s.fetch(kf, kt, from, to)))),
          fetchAll: (from, to, backward) =>
            concat(all().map((s) => (backward ? s.backwardFetchAll(from, to) : s.fetchAll(from, to)))),
          all: (backward) => concat(all().map((s) => (backward ? s.backwardAll() : s.all()))),
        });
      },
    };
  },
  /** The DSL's windowed aggregations as they are stored: each value with the timestamp of its last update. */
  timestampedWindowStore<K, V>(): QueryableStoreType<ReadOnlyWindowStore<K, ValueAndTimestamp<V>>> {
    const plain = QueryableStoreTypes.windowStore<K, ValueAndTimestamp<V>>();
    return {
      ...plain,
      kind: 'timestampedWindowStore',
      compose: (name, stores) => plain.compose(name, stores, false),
    };
  },
  sessionStore<K, V>(): QueryableStoreType<ReadOnlySessionStore<K, V>> {
    return {
      kind: 'sessionStore',
      accepts: (s) => has(s, 'findSessions', 'fetchSession'),
      compose: (name, stores) => {
        const all = () => live<ReadOnlySessionStore<K, V>>(name, stores);
        return {
          fetch: (key) => concat(all().map((s) => s.fetch(key))),
          findSessions: (key, earliestEnd, latestStart) =>
            concat(all().map((s) => s.findSessions(key, earliestEnd, latestStart))),
          fetchSession: (key, start, end) => {
            for (const s of all()) {
              const v = s.fetchSession(key, start, end);
              if (v !== undefined) return v;
            }
            return undefined;
          },
        };
      },
    };
  },
});
