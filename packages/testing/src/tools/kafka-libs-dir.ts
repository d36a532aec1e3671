import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
let cached: Promise<string> | undefined;

/** The directory of Apache Kafka's jars, resolved (once per process) by `kafka/resolve-kafka.sh`. */
export function kafkaLibsDir(): Promise<string> {
  cached ??= run('bash', [fileURLToPath(new URL('../../kafka/resolve-kafka.sh', import.meta.url))]).then(
    ({ stdout }) => `${stdout.trim()}/libs`,
  );
  return cached;
}
