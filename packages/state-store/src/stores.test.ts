import { describe, expect, it } from 'vitest';
import type { Serde } from '@kaskade/processor-api';
import { ConfigError } from '@kaskade/processor-api';
import { Stores } from './stores.js';

const S: Serde<string> = {
  serialize: (_t, d) => Buffer.from(d),
  deserialize: (_t, d) => d.toString(),
};

describe('Stores', () => {
  it('should describe suppliers with Kafka Streams defaults', () => {
    expect(Stores.persistentKeyValueStore('kv')).toEqual({ kind: 'keyValue', name: 'kv', persistent: true });
    expect(Stores.inMemoryKeyValueStore('kv').persistent).toBe(false);
    expect(Stores.persistentWindowStore('w', { retentionMs: 600_000, windowSizeMs: 1000 })).toEqual({
      kind: 'window',
      name: 'w',
      persistent: true,
      retentionMs: 600_000,
      windowSizeMs: 1000,
      retainDuplicates: false,
      segmentIntervalMs: 300_000,
    });
    expect(Stores.inMemorySessionStore('s', { retentionMs: 1000 }).segmentIntervalMs).toBe(60_000);
  });

  it('should reject bad retention settings with a ConfigError naming the field', () => {
    expect(() => Stores.persistentWindowStore('w', { retentionMs: 10, windowSizeMs: 100 })).toThrow(ConfigError);
    expect(() => Stores.persistentWindowStore('w', { retentionMs: -1, windowSizeMs: 0 })).toThrow(/retentionMs/);
    expect(() => Stores.persistentSessionStore('s', { retentionMs: 10, segmentIntervalMs: 0 })).toThrow(
      /segmentIntervalMs/,
    );
    expect(() => Stores.inMemoryKeyValueStore('')).toThrow(/name/);
  });

  it('should build immutable builders: each with... returns a new builder', () => {
    const builder = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, S);
    const cached = builder.withCachingEnabled();
    const quiet = builder.withLoggingDisabled();
    expect([builder.cachingEnabled, builder.loggingEnabled]).toEqual([false, true]);
    expect([cached.cachingEnabled, cached.loggingEnabled]).toEqual([true, true]);
    expect([quiet.cachingEnabled, quiet.loggingEnabled]).toEqual([false, false]);
    expect(cached).toBeInstanceOf(builder.constructor);
    expect(builder.storeType).toBe('keyValue');
    expect(builder.retentionMs).toBeUndefined();
  });

  it('should give the changelog topic configs per store type, with logConfig merged over them', () => {
    const kv = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), S, S);
    expect(kv.changelogConfig()).toEqual({ 'cleanup.policy': 'compact' });
    expect(kv.withLoggingEnabled({ 'min.insync.replicas': '2' }).changelogConfig()).toEqual({
      'cleanup.policy': 'compact',
      'min.insync.replicas': '2',
    });
    const w = Stores.windowStoreBuilder(
      Stores.persistentWindowStore('w', { retentionMs: 1000, windowSizeMs: 10 }),
      S,
      S,
    );
    expect([w.storeType, w.retentionMs]).toEqual(['window', 1000]);
    expect(w.changelogConfig()).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': String(1000 + 86_400_000),
    });
    expect(w.withLoggingEnabled({ 'retention.ms': '5' }).changelogConfig()['retention.ms']).toBe('5');
    const s = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', { retentionMs: 2000 }), S, S);
    expect([s.storeType, s.changelogConfig()['retention.ms']]).toEqual(['session', String(2000 + 86_400_000)]);
  });
});
