import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidStateStoreError } from '@kaskade/processor-api';
import type { KeyValueStore, StateStore, ValueAndTimestamp, WindowStore } from '@kaskade/processor-api';
import { Stores } from '@kaskade/state-store';
import { TaskStateManager } from '@kaskade/state-store/internal';
import { Serdes } from '../serde/serdes.js';
import { QueryableStoreTypes } from './queryable-store-types.js';

const dirs: string[] = [];
const managers: TaskStateManager[] = [];
afterEach(() => {
  managers.splice(0).forEach((m) => m.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function manager(partition: number): TaskStateManager {
  const dir = mkdtempSync(join(tmpdir(), 'kaskade-qst-'));
  dirs.push(dir);
  const m = new TaskStateManager({
    applicationId: 'app',
    taskId: { subtopology: 0, partition },
    taskDir: dir,
    logChange: () => undefined,
    streamTimeMs: () => 0,
    cacheMaxBytes: 0,
  });
  managers.push(m);
  return m;
}

describe('QueryableStoreTypes', () => {
  it('should read one key-value view over the stores of several tasks', () => {
    const stores = [0, 1].map((p) =>
      manager(p).register(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), Serdes.String(), Serdes.Int32()),
      ),
    ) as KeyValueStore<string, number>[];
    stores[0]!.put('a', 1);
    stores[1]!.put('b', 2);
    const view = QueryableStoreTypes.keyValueStore<string, number>().compose('s', () => stores, false);
    expect(view.get('a')).toBe(1);
    expect(view.get('b')).toBe(2);
    expect(view.get('c')).toBeUndefined();
    expect([...view.all()].map((kv) => [kv.key, kv.value]).sort()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(view.approximateNumEntries()).toBe(2);
  });

  it('should unwrap the values of timestamped stores, and expose them with timestampedKeyValueStore', () => {
    const store = manager(0).register(
      Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('t'), Serdes.String(), Serdes.Int32()),
    ) as KeyValueStore<string, ValueAndTimestamp<number>>;
    store.put('k', { value: 7, timestamp: 99 });
    const plain = QueryableStoreTypes.keyValueStore<string, number>().compose('t', () => [store], true);
    expect(plain.get('k')).toBe(7);
    expect([...plain.all()]).toEqual([{ key: 'k', value: 7 }]);
    const raw = QueryableStoreTypes.timestampedKeyValueStore<string, number>().compose('t', () => [store], true);
    expect(raw.get('k')).toEqual({ value: 7, timestamp: 99 });
  });

  it('should unwrap timestamped window stores', () => {
    const store = manager(0).register(
      Stores.timestampedWindowStoreBuilder(
        Stores.inMemoryWindowStore('w', { retentionMs: 60_000, windowSizeMs: 1000 }),
        Serdes.String(),
        Serdes.Int32(),
      ),
    ) as WindowStore<string, ValueAndTimestamp<number>>;
    store.put('k', { value: 3, timestamp: 1500 }, 1000);
    const view = QueryableStoreTypes.windowStore<string, number>().compose('w', () => [store], true);
    expect(view.fetch('k', 1000)).toBe(3);
    expect([...view.fetch('k', 0, 5000)]).toEqual([{ key: 1000, value: 3 }]);
    expect([...view.backwardFetch('k', 0, 5000)]).toEqual([{ key: 1000, value: 3 }]);
    expect([...view.fetch('k', 'k', 0, 5000)].map((e) => [e.key.key, e.key.window.start, e.value])).toEqual([
      ['k', 1000, 3],
    ]);
    expect([...view.backwardAll()].map((e) => e.value)).toEqual([3]);
    const raw = QueryableStoreTypes.timestampedWindowStore<string, number>().compose('w', () => [store], true);
    expect(raw.fetch('k', 1000)).toEqual({ value: 3, timestamp: 1500 });
  });

  it('should refuse a closed store with InvalidStateStoreError', () => {
    const closed: StateStore = { name: 'x', persistent: false, isOpen: () => false };
    const view = QueryableStoreTypes.keyValueStore<string, number>().compose('x', () => [closed], false);
    expect(() => view.get('a')).toThrowError(InvalidStateStoreError);
  });
});
