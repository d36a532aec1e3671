// Test support for the store contract: temp task directories, a recording changelog sink, controllable time, and
// serdes that make exact byte layouts easy to write.
import fs from 'node:fs';
import os from 'node:os';
import type { Serde, StateStore, StoreBuilder } from '@kaskade/processor-api';
import { changelogTopicName } from '../changelog-topic-name.js';
import { Stores } from '../stores.js';
import type {
  KeyValueBytesStoreSupplier,
  SessionBytesStoreSupplier,
  WindowBytesStoreSupplier,
} from '../store-suppliers.js';
import type { SessionStoreOptions, WindowStoreOptions } from '../store-suppliers.js';
import type { ChangelogPartition } from '../changelog-sink.js';
import { TaskStateManager } from '../task-state-manager.js';

/** One implementation under test: LMDB or in-memory, with or without a record cache. */
export interface StoreImplementation {
  readonly name: string;
  readonly persistent: boolean;
  readonly caching: boolean;
}

export const APP = 'app';
export const TASK = '0_3';
export const PARTITION = 3;

export const stringSerde: Serde<string> = {
  serialize: (_topic, data) => Buffer.from(data, 'utf8'),
  deserialize: (_topic, data) => data.toString('utf8'),
};

/** Keys and values given as bytes: `[0x00, 0x61]` or a latin1 string. */
export const bytesSerde: Serde<Buffer> = {
  serialize: (_topic, data) => data,
  deserialize: (_topic, data) => Buffer.from(data),
};

export function b(...parts: (string | number[])[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
}

export function hex(buffer: Buffer | null | undefined): string | null {
  return buffer === null || buffer === undefined ? null : buffer.toString('hex');
}

export function int64(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64BE(BigInt(value));
  return out;
}

export function int32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

export interface LoggedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly value: string | null;
  readonly timestamp: number;
}

/** A task directory and a TaskStateManager on it that can be closed and reopened. */
export class Harness {
  readonly impl: StoreImplementation;
  readonly dir: string;
  streamTime = 0;
  recordTime = 0;
  readonly logged: LoggedRecord[] = [];
  readonly messages: string[] = [];
  readonly dropped: string[] = [];
  cacheMaxBytes = 1 << 20;
  #manager: TaskStateManager | undefined;

  constructor(impl: StoreImplementation) {
    this.impl = impl;
    this.dir = fs.mkdtempSync(os.tmpdir() + '/kaskade-store-');
  }

  get manager(): TaskStateManager {
    return (this.#manager ??= this.open());
  }

  /** A new manager on the same directory (the previous one must be closed). */
  open(): TaskStateManager {
    this.#manager = new TaskStateManager({
      applicationId: APP,
      taskId: TASK,
      taskDir: this.dir,
      cacheMaxBytes: this.cacheMaxBytes,
      streamTimeMs: () => this.streamTime,
      recordTimestampMs: () => this.recordTime,
      logger: (message) => this.messages.push(message),
      recordDropped: (store, reason) => this.dropped.push(`${store}: ${reason}`),
      logChange: (topic, partition, key, value, timestamp) =>
        this.logged.push({ topic, partition, key: hex(key)!, value: hex(value), timestamp }),
    });
    return this.#manager;
  }

  /** Closes the manager and opens a new one on the same directory. */
  reopen(): TaskStateManager {
    this.#manager?.close();
    return this.open();
  }

  cleanup(): void {
    try {
      this.#manager?.close();
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  keyValueSupplier(name: string): KeyValueBytesStoreSupplier {
    return this.impl.persistent ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
  }

  windowSupplier(name: string, options: WindowStoreOptions): WindowBytesStoreSupplier {
    return this.impl.persistent
      ? Stores.persistentWindowStore(name, options)
      : Stores.inMemoryWindowStore(name, options);
  }

  sessionSupplier(name: string, options: SessionStoreOptions): SessionBytesStoreSupplier {
    return this.impl.persistent
      ? Stores.persistentSessionStore(name, options)
      : Stores.inMemorySessionStore(name, options);
  }

  /** Registers a builder, with caching as the implementation says. */
  register<T extends StateStore>(builder: StoreBuilder<T>, changelog?: ChangelogPartition): T {
    const b = this.impl.caching ? builder.withCachingEnabled() : builder;
    return this.manager.register(b, changelog);
  }

  /** Flushes caches and commits with the given changelog offsets. */
  commit(offsets: { [changelogKey: string]: number } = {}): void {
    this.manager.flushCaches();
    this.manager.commit(new Map(Object.entries(offsets)));
  }

  /** Changelog records so far (flushing caches first), then forgets them. */
  takeLogged(): LoggedRecord[] {
    this.manager.flushCaches();
    return this.logged.splice(0);
  }
}

export function changelogTopic(store: string): string {
  return changelogTopicName(APP, store);
}

export function changelogKey(store: string): string {
  return `${changelogTopic(store)}:${PARTITION}`;
}
