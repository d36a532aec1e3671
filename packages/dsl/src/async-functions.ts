// The function types of the DSL's asynchronous operators: the synchronous shapes, returning a promise, with the
// attempt (its AbortSignal, its number) as an extra last parameter.
import type { AsyncAttempt } from '@kaskade/processor-api';

/** Keeps a record when the promise resolves to true. Pass `attempt.signal` on to `fetch` and friends. */
export type AsyncPredicate<K, V> = (key: K, value: V, attempt: AsyncAttempt) => Promise<boolean>;

/** A new value per record, computed asynchronously (a lookup, a call). */
export type AsyncValueMapper<V, VR, K = unknown> = (value: V, key: K, attempt: AsyncAttempt) => Promise<VR>;
