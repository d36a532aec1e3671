// Client settings shared by the raw rungs, chosen to match what the Kaskade runtime configures for itself
// (packages/core/src/runtime/kafka-streams.ts), so that a raw rung differs from a Kaskade rung only in the runtime.

/**
 * The runtime's consumer wait for the first message of a batch (`pollMs`, default 100). Both sides use the consumer
 * adapter's defaults otherwise: explicit commits, range assignment, timeout only for the first message.
 */
export const POLL_TIMEOUT_MS = 100;

/**
 * What the runtime adds to the producer adapter's defaults (idempotence on, `linger.ms` 5, a 500 000-message queue):
 * the Java client's partitioner, so that keys land where Kafka Streams would put them.
 */
export const PRODUCER_CONFIG = { partitioner: 'murmur2_random' } as const;
