// @kaskade/state-store — LMDB and in-memory stores, the Stores factory and builders, change logging, the record cache,
// the write buffer and commit protocol (TaskStateManager), and restoration.
export { Stores } from './stores.js';
export type {
  KeyValueBytesStoreSupplier,
  WindowBytesStoreSupplier,
  SessionBytesStoreSupplier,
  WindowStoreOptions,
  SessionStoreOptions,
} from './store-suppliers.js';
export { AbstractStoreBuilder, CHANGELOG_ADDITIONAL_RETENTION_MS } from './abstract-store-builder.js';
export { SuppliedStoreBuilder } from './supplied-store-builder.js';
export type { SupplierBasics } from './supplied-store-builder.js';
export type { StoreType, BuilderSettings } from './abstract-store-builder.js';
export { KeyValueStoreBuilder, TimestampedKeyValueStoreBuilder } from './key-value-store-builder.js';
export { WindowStoreBuilder, TimestampedWindowStoreBuilder } from './window-store-builder.js';
export type { TimestampedWindowStore } from './window-store-builder.js';
export { SessionStoreBuilder } from './session-store-builder.js';
export { ValueAndTimestampSerde, valueAndTimestamp } from './value-and-timestamp-serde.js';
export type { CachedStateStore, CacheFlushListener } from './cached-state-store.js';
export type { ChangelogSink, ChangelogPartition } from './changelog-sink.js';
export { TaskStateManager } from './task-state-manager.js';
export type { TaskStateManagerOptions, StoreChangelogPartition, RestoreRecord } from './task-state-manager.js';
