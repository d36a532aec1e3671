import type { Logger } from '../config/logger.js';
import { KafkaOperationError } from './kafka-client-error.js';

/**
 * librdkafka and broker codes that a leader change, a broker restart or a moving coordinator produce for a while:
 * worth asking again. (librdkafka flags some of them as not retriable — a stale leader epoch, 74 — because it does
 * not retry them itself; the answer changes once the metadata catches up.)
 */
const TRANSIENT_CODES = new Set([
  -195 /* _TRANSPORT */, -192 /* _MSG_TIMED_OUT */, -187 /* _ALL_BROKERS_DOWN */, -185 /* _TIMED_OUT */,
  -180 /* _WAIT_COORD */, 3 /* UNKNOWN_TOPIC_OR_PART (metadata not yet updated) */, 5 /* LEADER_NOT_AVAILABLE */,
  6 /* NOT_LEADER_OR_FOLLOWER */, 7 /* REQUEST_TIMED_OUT */, 8 /* BROKER_NOT_AVAILABLE */, 13 /* NETWORK_EXCEPTION */,
  14 /* COORDINATOR_LOAD_IN_PROGRESS */, 15 /* COORDINATOR_NOT_AVAILABLE */, 16 /* NOT_COORDINATOR */,
  19 /* NOT_ENOUGH_REPLICAS */, 20 /* NOT_ENOUGH_REPLICAS_AFTER_APPEND */, 74 /* FENCED_LEADER_EPOCH */,
  75 /* UNKNOWN_LEADER_EPOCH */, 78 /* OFFSET_NOT_AVAILABLE */,
]);

/** True for a Kafka error that goes away once the cluster settles (leader moved, broker back, coordinator found). */
export function isTransientKafkaError(e: unknown): e is KafkaOperationError {
  return e instanceof KafkaOperationError && !e.fatal && (e.retriable || TRANSIENT_CODES.has(e.kafkaCode));
}

/** How long {@link retryKafka} keeps trying by default: longer than a broker takes to be replaced as leader. */
export const DEFAULT_RETRY_DEADLINE_MS = 60_000;

/**
 * Runs a Kafka client operation, again with a growing pause (100 ms doubling up to 2 s) while it fails with a
 * transient error (see {@link isTransientKafkaError}) and the deadline has not passed; then the last error is thrown.
 * Each retry is logged at warn level.
 */
export async function retryKafka<T>(
  what: string,
  op: () => Promise<T>,
  options: {
    readonly logger?: Logger;
    readonly deadlineMs?: number;
    /** Called before each retry with the error and the attempt that failed, e.g. to replace a stale client. */
    readonly onRetry?: (error: KafkaOperationError, attempt: number) => void;
  } = {},
): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? DEFAULT_RETRY_DEADLINE_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (!isTransientKafkaError(e) || Date.now() >= deadline) throw e;
      const pause = Math.min(2000, 50 * 2 ** attempt, Math.max(0, deadline - Date.now()));
      options.logger?.warn(`${what} failed (attempt ${attempt}), retrying in ${pause} ms: ${e.message}`);
      await new Promise((r) => setTimeout(r, pause));
      options.onRetry?.(e, attempt);
    }
  }
}
