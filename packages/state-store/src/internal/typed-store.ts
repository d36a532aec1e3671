// The typed layer (Kafka Streams' "metered" store, minus metrics for now): applies serdes at the boundary, tracks
// iterators, and guards the lifecycle. Everything below it is bytes.
import type { Serde } from '@kaskade/processor-api';
import { IllegalStateError, InvalidStateStoreError, SerializationError } from '@kaskade/processor-api';
import type { BytesStore } from './bytes-store.js';
import type { ChangeLogger } from './change-logger.js';
import { changeLogger } from './change-logger.js';
import type { InitializableStore, StoreInitContext } from './store-context.js';
import { INIT } from './store-context.js';
import { IteratorRegistry } from './store-iterator.js';
import type { RawFlushListener, TableConfig } from './table.js';

export interface TypedStoreOptions {
  readonly name: string;
  readonly persistent: boolean;
  readonly logging: boolean;
  readonly caching: boolean;
  /** Values carry an 8-byte timestamp prefix that the changelog record takes as its timestamp. */
  readonly timestamped: boolean;
}

export abstract class TypedStore<B extends BytesStore> implements InitializableStore {
  readonly name: string;
  readonly persistent: boolean;
  protected readonly iterators: IteratorRegistry;
  protected readonly options: TypedStoreOptions;
  /** Topic name handed to serdes. */
  protected topic = '';
  protected recordTimestampMs: () => number = () => 0;
  protected streamTimeMs: () => number = () => 0;
  #bytes: B | undefined;
  #config: TableConfig | undefined;
  #closed = false;
  #pendingFlushListener: { listener: RawFlushListener; sendOldValues: boolean } | undefined;

  protected constructor(options: TypedStoreOptions) {
    this.name = options.name;
    this.persistent = options.persistent;
    this.options = options;
    this.iterators = new IteratorRegistry(options.name);
  }

  /** Opens the store in a task (called by TaskStateManager.register). */
  [INIT](context: StoreInitContext): B {
    if (this.#bytes !== undefined || this.#closed) {
      throw new IllegalStateError(`store "${this.name}" was already opened; build a new instance per task`, {
        context: { store: this.name, taskId: context.taskId },
      });
    }
    this.topic = context.serdeTopic;
    this.recordTimestampMs = context.recordTimestampMs;
    this.streamTimeMs = context.streamTimeMs;
    const caching = this.options.caching && this.cachingSupported();
    if (this.options.caching && !caching) {
      context.log(`store "${this.name}": caching is not supported with retained duplicates and is disabled`);
    }
    let logger: ChangeLogger | undefined;
    if (this.options.logging && context.changelog !== undefined) {
      const { topic, partition } = context.changelog;
      logger = changeLogger(context.logChange, topic, partition, this.toChangelogKey, this.options.timestamped);
    }
    const config: TableConfig = {
      storeName: this.name,
      cache: caching ? context.cache : undefined,
      logger,
      writeBuffer: context.writeBuffer,
      flushListener: undefined,
      flushListenerNeedsOldValue: false,
    };
    this.#config = config;
    this.#bytes = this.createBytesStore(context, config);
    if (this.#pendingFlushListener !== undefined) {
      config.flushListener = this.#pendingFlushListener.listener;
      config.flushListenerNeedsOldValue = this.#pendingFlushListener.sendOldValues;
    }
    return this.#bytes;
  }

  isOpen(): boolean {
    return this.#bytes !== undefined;
  }

  /** Closes the store and its open iterators; further use throws InvalidStateStoreError. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.iterators.closeAll();
    this.#bytes?.close();
    this.#bytes = undefined;
  }

  /** Number of iterators not closed yet (for tests and diagnostics). */
  openIteratorCount(): number {
    return this.iterators.openCount;
  }

  protected abstract createBytesStore(context: StoreInitContext, config: TableConfig): B;

  /** Stored key -> changelog key (identity for key-value stores). */
  protected abstract readonly toChangelogKey: (storedKey: Buffer) => Buffer;

  /** Whether a record cache may sit in front of this store. */
  protected cachingSupported(): boolean {
    return true;
  }

  /** The bytes store, or throws when the store is not open. */
  protected bytes(): B {
    const bytes = this.#bytes;
    if (bytes === undefined) throw this.#notOpen();
    return bytes;
  }

  protected setRawFlushListener(listener: RawFlushListener, sendOldValues: boolean): boolean {
    if (!this.options.caching || !this.cachingSupported()) return false;
    const config = this.#config;
    if (config === undefined) {
      this.#pendingFlushListener = { listener, sendOldValues };
      return true;
    }
    if (config.cache === undefined) return false;
    config.flushListener = listener;
    config.flushListenerNeedsOldValue = sendOldValues;
    return true;
  }

  protected serialize<T>(serde: Serde<T>, data: T, what: 'key' | 'value'): Buffer {
    try {
      return serde.serialize(this.topic, data);
    } catch (error) {
      throw new SerializationError(`store "${this.name}": cannot serialize the ${what}: ${(error as Error).message}`, {
        cause: error,
        context: { store: this.name, topic: this.topic },
      });
    }
  }

  protected deserialize<T>(serde: Serde<T>, data: Buffer, what: 'key' | 'value'): T {
    try {
      return serde.deserialize(this.topic, data);
    } catch (error) {
      throw new SerializationError(`store "${this.name}": cannot deserialize a ${what}: ${(error as Error).message}`, {
        cause: error,
        context: { store: this.name, topic: this.topic },
      });
    }
  }

  protected checkKey(key: unknown): void {
    if (key === null || key === undefined) throw new TypeError(`store "${this.name}": the key must not be null`);
  }

  #notOpen(): InvalidStateStoreError {
    return new InvalidStateStoreError(
      this.#closed
        ? `store "${this.name}" is closed`
        : `store "${this.name}" is not open (it has not been registered with a TaskStateManager)`,
      { context: { store: this.name } },
    );
  }
}
