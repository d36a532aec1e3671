// Global setup of the `broker` test project: one real Apache Kafka broker shared by all broker tests.
//
// - KASKADE_BOOTSTRAP_SERVERS set: use that broker (e.g. one started by `npm run kafka`); KASKADE_KAFKA_VERSION may
//   name its version.
// - Otherwise: start a single-node broker on free loopback ports, stopped again at teardown.
//
// Tests read the broker through test/broker-context.ts (vitest's provide/inject); child processes that tests spawn
// find it in KASKADE_BOOTSTRAP_SERVERS.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startKafka } from '@kaskade/testing';
import { probeMetadata } from '@kaskade/testing/internal';
import type { KafkaCluster } from '@kaskade/testing';
import type {} from './broker-context.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['KASKADE_BOOTSTRAP_SERVERS'];
  let cluster: KafkaCluster | undefined;
  let bootstrapServers: string;
  let version: string;
  if (external) {
    await checkReachable(external);
    bootstrapServers = external;
    version = process.env['KASKADE_KAFKA_VERSION'] ?? 'unknown';
  } else {
    const started = Date.now();
    cluster = await startKafka({ brokers: 1 });
    bootstrapServers = cluster.bootstrapServers;
    version = cluster.version;
    process.env['KASKADE_BOOTSTRAP_SERVERS'] = bootstrapServers;
    console.log(`[broker] Apache Kafka ${version} at ${bootstrapServers}, ready in ${Date.now() - started} ms`);
  }
  project.provide('bootstrapServers', bootstrapServers);
  project.provide('kafkaVersion', version);
  // scripts/test.sh prints the version in its summary.
  mkdirSync(`${REPO_ROOT}.cache`, { recursive: true });
  const described =
    cluster === undefined && version === 'unknown' ? `unknown (external broker ${bootstrapServers})` : version;
  writeFileSync(`${REPO_ROOT}.cache/test-kafka-version`, `${described}\n`);

  return async () => {
    if (cluster === undefined) return;
    await cluster.stop();
    delete process.env['KASKADE_BOOTSTRAP_SERVERS'];
  };
}

// A typo or a stopped broker should fail here, once and clearly, not as a timeout in every test.
async function checkReachable(bootstrapServers: string): Promise<void> {
  const [host = '', port = ''] = (bootstrapServers.split(',')[0] ?? '').trim().split(':');
  try {
    await probeMetadata(host, Number(port), 10_000);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`KASKADE_BOOTSTRAP_SERVERS=${bootstrapServers}, but no Kafka broker answers there: ${reason}`, {
      cause: error,
    });
  }
}
