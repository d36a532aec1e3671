// @kaskade/state-store/internal — what the other Kaskade packages need of the stores: the builders' classes, change
// logging, the record cache and the commit protocol (TaskStateManager) with restoration. NOT a stable API: it changes
// with the runtime, in any release. Applications use the root export.
export { AbstractStoreBuilder, CHANGELOG_ADDITIONAL_RETENTION_MS } from './abstract-store-builder.js';
export { SuppliedStoreBuilder } from './supplied-store-builder.js';
export type { SupplierBasics } from './supplied-store-builder.js';
export type { StoreType, BuilderSettings } from './abstract-store-builder.js';
export { KeyValueStoreBuilder, TimestampedKeyValueStoreBuilder } from './key-value-store-builder.js';
export { WindowStoreBuilder, TimestampedWindowStoreBuilder } from './window-store-builder.js';
export type { TimestampedWindowStore } from './window-store-builder.js';
export { SessionStoreBuilder } from './session-store-builder.js';
export type { CachedStateStore, CacheFlushListener } from './cached-state-store.js';
export type { ChangelogSink, ChangelogPartition } from './changelog-sink.js';
export { TaskStateManager } from './task-state-manager.js';
export { changelogTopicName } from './changelog-topic-name.js';
export type { TaskStateManagerOptions, StoreChangelogPartition, RestoreRecord } from './task-state-manager.js';
export { ValueAndTimestampSerde } from './value-and-timestamp-serde.js';
