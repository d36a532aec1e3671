import type { StateStore } from './state-store.js';

/**
 * Describes a store and builds one instance per task. Immutable: each `with...` returns a new builder.
 *
 * @see org.apache.kafka.streams.state.StoreBuilder
 */
export interface StoreBuilder<T extends StateStore = StateStore> {
  readonly name: string;
  /** Whether changes are written to the `<applicationId>-<name>-changelog` topic. */
  readonly loggingEnabled: boolean;
  /** Topic configs for the changelog topic (merged over the defaults for the store type). */
  readonly logConfig: Readonly<{ [key: string]: string }>;
  readonly cachingEnabled: boolean;
  withLoggingEnabled(config?: { [key: string]: string }): StoreBuilder<T>;
  withLoggingDisabled(): StoreBuilder<T>;
  withCachingEnabled(): StoreBuilder<T>;
  withCachingDisabled(): StoreBuilder<T>;
  /** A new, unopened store instance. */
  build(): T;
}
