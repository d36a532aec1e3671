import type { KeyValueIterator, Serde, SessionStore, Windowed } from '@kaskade/processor-api';
import type { CacheFlushListener, CachedStateStore } from '../cached-state-store.js';
import type { SessionBytesStoreSupplier } from '../store-suppliers.js';
import { storedToChangelog } from './key-schema.js';
import type { RawEntry } from './raw-iterator.js';
import { lmdbSegments, memorySegments } from './segment-backends.js';
import { SessionBytesStore } from './session-bytes-store.js';
import type { StoreInitContext } from './store-context.js';
import type { TableConfig } from './table.js';
import { checkTime, EXPIRED_WINDOW } from './typed-window-store.js';
import { TypedStore } from './typed-store.js';

export interface TypedSessionStoreOptions<K, AGG> {
  readonly supplier: SessionBytesStoreSupplier;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<AGG>;
  readonly logging: boolean;
  readonly caching: boolean;
}

/** A session store with serdes over a SessionBytesStore (LMDB or in-memory segments). */
export class TypedSessionStore<K, AGG>
  extends TypedStore<SessionBytesStore>
  implements SessionStore<K, AGG>, CachedStateStore<Windowed<K>, AGG>
{
  readonly #supplier: SessionBytesStoreSupplier;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<AGG>;
  readonly #decodeValue = (entry: RawEntry): AGG => this.deserialize(this.#valueSerde, entry.value, 'value');
  readonly #decodeWindowed = (entry: RawEntry): Windowed<K> => this.#windowed(entry.key);
  protected readonly toChangelogKey = storedToChangelog;

  constructor(options: TypedSessionStoreOptions<K, AGG>) {
    super({
      name: options.supplier.name,
      persistent: options.supplier.persistent,
      logging: options.logging,
      caching: options.caching,
      timestamped: false,
    });
    this.#supplier = options.supplier;
    this.#keySerde = options.keySerde;
    this.#valueSerde = options.valueSerde;
  }

  get retentionMs(): number {
    return this.#supplier.retentionMs;
  }

  protected createBytesStore(context: StoreInitContext, config: TableConfig): SessionBytesStore {
    const s = this.#supplier;
    return new SessionBytesStore({
      name: this.name,
      retentionMs: s.retentionMs,
      segmentIntervalMs: s.segmentIntervalMs,
      backends: s.persistent ? lmdbSegments(context.lmdb(), 's', this.name, s.segmentIntervalMs) : memorySegments,
      config,
      streamTimeMs: context.streamTimeMs,
      onExpiredWrite: () => context.recordDropped(this.name, EXPIRED_WINDOW),
    });
  }

  /** Writes the aggregate of a session; a null aggregate removes it. */
  put(session: Windowed<K>, aggregate: AGG): void {
    const bytes = this.bytes();
    this.checkKey(session.key);
    const { start, end } = session.window;
    checkSession(this.name, start, end);
    const keyBytes = this.serialize(this.#keySerde, session.key, 'key');
    const value =
      aggregate === null || aggregate === undefined ? null : this.serialize(this.#valueSerde, aggregate, 'value');
    bytes.put(keyBytes, start, end, value, this.recordTimestampMs());
  }

  remove(session: Windowed<K>): void {
    const bytes = this.bytes();
    this.checkKey(session.key);
    const { start, end } = session.window;
    checkSession(this.name, start, end);
    bytes.put(this.serialize(this.#keySerde, session.key, 'key'), start, end, null, this.recordTimestampMs());
  }

  fetch(key: K): KeyValueIterator<Windowed<K>, AGG> {
    return this.findSessions(key, 0, Number.POSITIVE_INFINITY);
  }

  findSessions(key: K, earliestSessionEndMs: number, latestSessionStartMs: number): KeyValueIterator<Windowed<K>, AGG> {
    const bytes = this.bytes();
    this.checkKey(key);
    const source = bytes.findSessions(
      this.serialize(this.#keySerde, key, 'key'),
      earliestSessionEndMs,
      latestSessionStartMs,
    );
    return this.iterators.create(source, this.#decodeWindowed, this.#decodeValue);
  }

  findSessionsByEnd(earliestSessionEndMs: number, latestSessionEndMs: number): KeyValueIterator<Windowed<K>, AGG> {
    const source = this.bytes().findSessionsByEnd(earliestSessionEndMs, latestSessionEndMs);
    return this.iterators.create(source, this.#decodeWindowed, this.#decodeValue);
  }

  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | undefined {
    const bytes = this.bytes();
    this.checkKey(key);
    const value = bytes.fetchSession(this.serialize(this.#keySerde, key, 'key'), sessionStartMs, sessionEndMs);
    return value === undefined ? undefined : this.deserialize(this.#valueSerde, value, 'value');
  }

  setFlushListener(listener: CacheFlushListener<Windowed<K>, AGG>, sendOldValues: boolean): boolean {
    const valueSerde = this.#valueSerde;
    return this.setRawFlushListener((key, newValue, oldValue, timestampMs) => {
      listener(
        this.#windowed(key),
        newValue === null ? undefined : this.deserialize(valueSerde, newValue, 'value'),
        oldValue === undefined ? undefined : this.deserialize(valueSerde, oldValue, 'value'),
        timestampMs,
      );
    }, sendOldValues);
  }

  #windowed(stored: Buffer): Windowed<K> {
    const schema = this.bytes().schema;
    return {
      key: this.deserialize(this.#keySerde, schema.userKey(stored), 'key'),
      window: { start: schema.sessionStart(stored), end: schema.sessionEnd(stored) },
    };
  }
}

function checkSession(storeName: string, startMs: number, endMs: number): void {
  checkTime(storeName, startMs);
  checkTime(storeName, endMs);
  if (endMs < startMs)
    throw new RangeError(`store "${storeName}": a session cannot end (${endMs}) before it starts (${startMs})`);
}
