// Finds a broker for the examples: KASKADE_BOOTSTRAP_SERVERS when set, otherwise a local single-node Apache Kafka
// started for the duration of the example (and stopped when it ends, also on Ctrl+C).
import { startKafka } from 'kaskade/testing';

export interface BrokerHandle {
  readonly bootstrapServers: string;
  stop(): Promise<void>;
}

export async function localBroker(): Promise<BrokerHandle> {
  const configured = process.env['KASKADE_BOOTSTRAP_SERVERS'];
  if (configured) {
    console.log(`[example] using the broker at ${configured}`);
    return { bootstrapServers: configured, stop: async () => undefined };
  }
  console.log('[example] no KASKADE_BOOTSTRAP_SERVERS: starting a local Apache Kafka broker...');
  const started = Date.now();
  const cluster = await startKafka({ brokers: 1 });
  console.log(
    `[example] Apache Kafka ${cluster.version} at ${cluster.bootstrapServers} (ready in ${Date.now() - started} ms)`,
  );
  return cluster;
}
