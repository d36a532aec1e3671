import { createHash } from 'node:crypto';

/**
 * A 128-bit hash of a serialized left value, to recognize answers to stale subscriptions. Kafka Streams uses murmur3
 * 128; any stable hash of the serialized bytes gives the same semantics. MD5 from node:crypto is synchronous, native
 * and 128 bits (collisions matter only as "a stale answer taken for a current one", not for security).
 */
export function valueHash(serialized: Buffer): Buffer {
  return createHash('md5').update(serialized).digest();
}
