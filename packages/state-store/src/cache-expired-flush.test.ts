import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Serde, WindowStore } from '@kaskade/processor-api';
import type { CachedStateStore } from './cached-state-store.js';
import { Stores } from './stores.js';
import { TaskStateManager } from './task-state-manager.js';

const S: Serde<string> = {
  serialize: (_t, d) => Buffer.from(d),
  deserialize: (_t, d) => d.toString(),
};

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a caching window store whose segment expires before the flush', () => {
  it('should still hand the expired windows last updates to the flush listener, oldest first, and store none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kaskade-expired-flush-'));
    dirs.push(dir);
    const state = new TaskStateManager({
      applicationId: 'app',
      taskId: '0_0',
      taskDir: dir,
      cacheMaxBytes: 1024 * 1024,
      streamTimeMs: () => 0,
      logChange: () => undefined,
      logger: () => undefined,
      recordDropped: () => undefined,
    });
    const supplier = Stores.persistentWindowStore('w', { retentionMs: 1000, windowSizeMs: 100 });
    const store = state.register(Stores.windowStoreBuilder(supplier, S, S).withCachingEnabled());
    const flushed: string[] = [];
    const cached = (
      store as unknown as CachedStateStore<{ key: string; window: { start: number } }, string>
    ).setFlushListener((key, value) => flushed.push(`${key.key}@${key.window.start}=${value}`), false);
    expect(cached).toBe(true);
    const windows = store as unknown as WindowStore<string, string>;
    windows.put('a', '1', 0);
    windows.put('a', '2', 0); // merged in the cache
    windows.put('b', '1', 100);
    // A window far ahead: the segments of 0 and 100 expire while their updates are still dirty in the cache.
    windows.put('c', '1', 1_000_000);
    state.flushCaches();
    expect(flushed).toEqual(['a@0=2', 'b@100=1', 'c@1000000=1']);
    expect(windows.fetch('a', 0)).toBeUndefined();
    state.commit(new Map());
    state.close();
  });
});
