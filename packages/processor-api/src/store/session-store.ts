import type { KeyValueIterator } from './key-value.js';
import type { StateStore } from './state-store.js';
import type { Windowed } from './windowed.js';

/**
 * Read access to a session store: aggregates per key and session window [start, end] (both inclusive).
 *
 * @see org.apache.kafka.streams.state.ReadOnlySessionStore
 */
export interface ReadOnlySessionStore<K, AGG> {
  /** All sessions of this key, in time order. */
  fetch(key: K): KeyValueIterator<Windowed<K>, AGG>;
  /**
   * Sessions of this key that end at or after `earliestSessionEndMs` and start at or before `latestSessionStartMs`
   * — the sessions a record at time t with gap g can merge with (t - g, t + g).
   */
  findSessions(key: K, earliestSessionEndMs: number, latestSessionStartMs: number): KeyValueIterator<Windowed<K>, AGG>;
  /** The aggregate of exactly this session, or undefined. */
  fetchSession(key: K, sessionStartMs: number, sessionEndMs: number): AGG | undefined;
}

/** @see org.apache.kafka.streams.state.SessionStore */
export interface SessionStore<K, AGG> extends StateStore, ReadOnlySessionStore<K, AGG> {
  put(session: Windowed<K>, aggregate: AGG): void;
  remove(session: Windowed<K>): void;
  /**
   * Sessions of all keys that end at or after `earliestSessionEndMs` and at or before `latestSessionEndMs`, by end,
   * then start, then key bytes — what `EmitStrategy.onWindowClose()` emits when sessions close. It reads only the
   * store's segments of those ends.
   *
   * @see org.apache.kafka.streams.state.SessionStore#findSessions(long, long)
   */
  findSessionsByEnd(earliestSessionEndMs: number, latestSessionEndMs: number): KeyValueIterator<Windowed<K>, AGG>;
}
