import { KafkaClientError } from '@kaskade/processor-api';

/** Keys of the Kafka client's own (JavaScript) settings, which librdkafka does not know. */
const CLIENT_ONLY_KEYS = new Set(['dr_cb', 'dr_msg_cb', 'event_cb', 'rebalance_cb', 'offset_commit_cb']);

/**
 * A configuration as the addon takes it: (name, value) strings, flat, without the Kafka client's own keys. A value
 * librdkafka cannot take as a string (a callback) is refused, naming the key and `what` refuses it.
 */
export function librdkafkaPairs(conf: { readonly [key: string]: unknown }, what: string): string[] {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(conf)) {
    if (CLIENT_ONLY_KEYS.has(key)) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new KafkaClientError(`${what} takes only string, number or boolean settings: ${key}`, {
        context: { key },
      });
    }
    pairs.push(key, String(value));
  }
  return pairs;
}
