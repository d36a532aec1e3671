import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyValueStore, Serde, WindowStore } from '@kaskade/processor-api';
import { BUFFER_ENTRY_OVERHEAD_BYTES } from './internal/write-buffer-meter.js';
import { Stores } from './stores.js';
import { TaskStateManager } from './task-state-manager.js';

const S: Serde<string> = {
  serialize: (_t, d) => Buffer.from(d),
  deserialize: (_t, d) => d.toString(),
};

/** 4-byte big-endian keys, as `Serdes.Int32()` writes them: small slices of Node's shared pool. */
const INT: Serde<number> = {
  serialize: (_t, d) => {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(d);
    return b;
  },
  deserialize: (_t, d) => d.readInt32BE(0),
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** V8's heap in use plus array buffers, after a full collection (no garbage counted). */
function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

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

  // The bound means what it says only if the per-entry estimates are close to what an entry really holds: with the
  // old ones (200 and 96 bytes) a count over distinct keys held ~1.5x its write-buffer bound and ~3.5x its cache's.
  it('should estimate what the write buffer and the record cache really hold within 20 %', () => {
    const n = 50_000;
    const within = (estimated: number, measured: number) => {
      expect(measured).toBeGreaterThan(estimated * 0.8);
      expect(measured).toBeLessThan(estimated * 1.2);
    };

    const buffered = manager();
    const kv = buffered.register(
      Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), INT, S),
    ) as KeyValueStore<number, string>;
    let before = liveBytes();
    for (let i = 0; i < n; i++) kv.put(i, 'v0000001');
    within(buffered.uncommittedBytes, liveBytes() - before);
    buffered.abort();
    buffered.close();

    const cached = manager(1024 * 1024 * 1024);
    const counts = cached.register(
      Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), INT, S).withCachingEnabled(),
    ) as KeyValueStore<number, string>;
    before = liveBytes();
    for (let i = 0; i < n; i++) counts.put(i, 'v0000001');
    expect(cached.uncommittedBytes).toBe(0);
    within(cached.cacheSizeBytes, liveBytes() - before);
    cached.abort();
    cached.close();
  });
});
