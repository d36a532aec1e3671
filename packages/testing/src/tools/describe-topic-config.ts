import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { kafkaLibsDir } from './kafka-libs-dir.js';

const run = promisify(execFile);

/**
 * A topic's effective configuration, read with Kafka's own `ConfigCommand` (in kafka-tools since Kafka 4.4) (the Kafka client library has no
 * describe-configs call). Slow (a JVM start): for tests that check what Kaskade created.
 */
export async function describeTopicConfig(bootstrapServers: string, topic: string): Promise<{ [key: string]: string }> {
  const libs = await kafkaLibsDir();
  const { stdout } = await run(
    'java',
    [
      '-Xmx256m',
      '-cp',
      `${libs}/*`,
      'org.apache.kafka.tools.ConfigCommand',
      '--bootstrap-server',
      bootstrapServers,
      '--entity-type',
      'topics',
      '--entity-name',
      topic,
      '--describe',
      '--all',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const config: { [key: string]: string } = {};
  for (const line of stdout.split('\n')) {
    const m = /^\s+([\w.]+)=(.*?) sensitive=/.exec(line);
    if (m) config[m[1]!] = m[2]!;
  }
  return config;
}
