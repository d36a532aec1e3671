// How the TaskStateManager opens a store built by one of our builders: the typed store receives this context in its
// INIT method and returns the bytes store that the manager commits, restores and closes.
import type { StateStore } from '@kaskade/processor-api';
import type { ChangelogPartition, ChangelogSink } from '../changelog-sink.js';
import type { BytesStore } from './bytes-store.js';
import type { LmdbEnvironment } from './lmdb-environment.js';
import type { RecordCache } from './record-cache.js';
import type { WriteBufferMeter } from './write-buffer-meter.js';

export const INIT: unique symbol = Symbol('kaskade.state-store.init');

export interface StoreInitContext {
  readonly applicationId: string;
  readonly taskId: string;
  /** The topic name passed to serdes: the changelog topic (also when logging is disabled, as in Kafka Streams). */
  readonly serdeTopic: string;
  /** Where changes go; undefined when logging is disabled. */
  readonly changelog: ChangelogPartition | undefined;
  readonly logChange: ChangelogSink;
  /** The task's record cache. */
  readonly cache: RecordCache;
  /** The task's count of write-buffer bytes. */
  readonly writeBuffer: WriteBufferMeter;
  /** The task's LMDB environment, opened on first use. */
  readonly lmdb: () => LmdbEnvironment;
  readonly streamTimeMs: () => number;
  /** Timestamp for changelog records of the current write. */
  readonly recordTimestampMs: () => number;
  readonly log: (message: string) => void;
  /** Counts a write the store ignored on purpose (an expired window or session). */
  readonly recordDropped: (storeName: string, reason: string) => void;
}

/** A store that a TaskStateManager can open. */
export interface InitializableStore extends StateStore {
  [INIT](context: StoreInitContext): BytesStore;
  close(): void;
}

export function isInitializableStore(store: unknown): store is InitializableStore {
  return typeof store === 'object' && store !== null && typeof (store as { [INIT]?: unknown })[INIT] === 'function';
}
