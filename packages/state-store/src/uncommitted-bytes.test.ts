import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyValueStore, Serde, WindowStore } from '@kaskade/processor-api';
import { BUFFER_ENTRY_OVERHEAD_BYTES } from './internal/write-buffer-meter.js';
import { Stores } from './stores.js';
import { TaskStateManager } from './task-state-manager.js';

const S: Serde<string> = {
  serialize: (_t, d) => Buffer.from(d),
  deserialize: (_t, d) => d.toString(),
};

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function manager(cacheMaxBytes = 0): TaskStateManager {
  const dir = mkdtempSync(join(tmpdir(), 'kaskade-uncommitted-'));
  dirs.push(dir);
  return new TaskStateManager({
    applicationId: 'app',
    taskId: '0_0',
    taskDir: dir,
    cacheMaxBytes,
    streamTimeMs: () => 0,
    logChange: () => undefined,
    logger: () => undefined,
  });
}

describe('TaskStateManager.uncommittedBytes', () => {
  it('should count each buffered key once, count the new value of an overwrite, and drop to 0 on commit and on abort', () => {
    const state = manager();
    const kv = state.register(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, S));
    const window = state.register(
      Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', { retentionMs: 1000, windowSizeMs: 10 }), S, S),
    ) as WindowStore<string, string>;
    expect(state.uncommittedBytes).toBe(0);
    (kv as KeyValueStore<string, string>).put('a', 'xy');
    const one = 1 + 2 + BUFFER_ENTRY_OVERHEAD_BYTES;
    expect(state.uncommittedBytes).toBe(one);
    // Same key: the new value is copied in (3 bytes) and the replaced one stays in the buffer's arena until the
    // commit, so both count; the key and the entry count once.
    (kv as KeyValueStore<string, string>).put('a', 'xyz');
    expect(state.uncommittedBytes).toBe(one + 3);
    window.put('k', 'v', 0);
    expect(state.uncommittedBytes).toBeGreaterThan(one + 1);
    state.flushCaches();
    state.commit(new Map());
    expect(state.uncommittedBytes).toBe(0);
    (kv as KeyValueStore<string, string>).put('b', 'v');
    state.abort();
    expect(state.uncommittedBytes).toBe(0);
    state.close();
  });

  it('should count what a record cache flushes or evicts, not what it holds', () => {
    const state = manager(10 * 1024 * 1024);
    const kv = state.register(
      Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, S).withCachingEnabled(),
    ) as KeyValueStore<string, string>;
    for (let i = 0; i < 100; i++) kv.put('hot', String(i));
    expect(state.uncommittedBytes).toBe(0);
    state.flushCaches();
    expect(state.uncommittedBytes).toBe(3 + 2 + BUFFER_ENTRY_OVERHEAD_BYTES);
    state.commit(new Map());
    expect(state.uncommittedBytes).toBe(0);
    state.close();
  });
});
