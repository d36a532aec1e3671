import type { StateStore, StoreBuilder } from '@kaskade/processor-api';

/** The kinds of store, as the runtime needs to know them to create changelog topics. */
export type StoreType = 'keyValue' | 'window' | 'session' | 'versioned';

/** Kafka Streams' `windowstore.changelog.additional.retention.ms` default: one day. */
export const CHANGELOG_ADDITIONAL_RETENTION_MS = 86_400_000;

/** The settings every builder carries. */
export interface BuilderSettings {
  readonly logging: boolean;
  readonly logConfig: Readonly<{ [key: string]: string }>;
  readonly caching: boolean;
  /** Time to live of key-value entries in stream time (TimestampedKeyValueStoreBuilder.withTtl). */
  readonly ttlMs?: number | undefined;
}

/** Logging on (with the default topic configs), caching off: the defaults of Kafka Streams' store builders. */
export const DEFAULT_BUILDER_SETTINGS: BuilderSettings = Object.freeze({
  logging: true,
  logConfig: Object.freeze({}),
  caching: false,
});

/**
 * Base of the store builders of this package: an immutable description of a store (each `with...` returns a new
 * builder) that builds one unopened store instance per task, plus what the runtime needs to create the changelog topic
 * (`storeType`, `retentionMs`, `changelogConfig()`).
 *
 * @see org.apache.kafka.streams.state.internals.AbstractStoreBuilder
 */
export abstract class AbstractStoreBuilder<T extends StateStore> implements StoreBuilder<T> {
  readonly name: string;
  abstract readonly storeType: StoreType;
  /** True for LMDB stores, false for in-memory ones. */
  abstract readonly persistent: boolean;
  /** Retention of window and session stores; undefined for key-value stores. */
  abstract readonly retentionMs: number | undefined;
  readonly #settings: BuilderSettings;

  protected constructor(name: string, settings: BuilderSettings) {
    this.name = name;
    this.#settings = settings;
  }

  get loggingEnabled(): boolean {
    return this.#settings.logging;
  }

  get logConfig(): Readonly<{ [key: string]: string }> {
    return this.#settings.logConfig;
  }

  /** The entries' time to live in stream time, if set (`withTtl`). */
  get ttlMs(): number | undefined {
    return this.#settings.ttlMs;
  }

  /** A new builder like this one, with a time to live (checked by the subclass that offers it). */
  protected withTtlSetting(ttlMs: number): this {
    return this.withSettings({ ...this.#settings, ttlMs });
  }

  get cachingEnabled(): boolean {
    return this.#settings.caching;
  }

  /** Logs every change to `<applicationId>-<name>-changelog`; `config` is merged over the default topic configs. */
  withLoggingEnabled(config: { [key: string]: string } = {}): this {
    return this.withSettings({ ...this.#settings, logging: true, logConfig: Object.freeze({ ...config }) });
  }

  withLoggingDisabled(): this {
    return this.withSettings({ ...this.#settings, logging: false, logConfig: Object.freeze({}) });
  }

  /** Puts a record cache in front of the store: repeated writes to a key merge until the next flush or eviction. */
  withCachingEnabled(): this {
    return this.withSettings({ ...this.#settings, caching: true });
  }

  withCachingDisabled(): this {
    return this.withSettings({ ...this.#settings, caching: false });
  }

  /**
   * The changelog topic's configs: the defaults for the store type (key-value: `cleanup.policy=compact`;
   * window/session: `cleanup.policy=compact,delete` and `retention.ms` = retention + 1 day), with `logConfig` merged
   * over them.
   */
  changelogConfig(): { [key: string]: string } {
    const defaults: { [key: string]: string } =
      this.storeType === 'keyValue' || this.storeType === 'versioned'
        ? { 'cleanup.policy': 'compact' }
        : {
            'cleanup.policy': 'compact,delete',
            'retention.ms': String((this.retentionMs ?? 0) + CHANGELOG_ADDITIONAL_RETENTION_MS),
          };
    return { ...defaults, ...this.#settings.logConfig };
  }

  /** A new builder like this one with other settings. */
  protected abstract withSettings(settings: BuilderSettings): this;

  abstract build(): T;
}
