// start() never hangs silently: an unreachable broker or a security mismatch rejects within startTimeoutMs with the
// Kafka client's own cause, logged at error level; missing sink and dead-letter topics are named at start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams } from '@kaskade/core';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { filterMapTopology } from './fixtures/filter-map-topology.js';
import { createTopics, recordingLogger } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kaskade-start-'));
  dirs.push(d);
  return d;
}

async function startAndFail(streams: KafkaStreams): Promise<{ error: Error; elapsedMs: number }> {
  const started = Date.now();
  let error: Error | undefined;
  try {
    await streams.start();
  } catch (e) {
    error = e as Error;
  }
  const elapsedMs = Date.now() - started;
  if (!error) throw new Error('start() resolved but was expected to reject');
  return { error, elapsedMs };
}

describe('start() failures', () => {
  it('should reject within startTimeoutMs with "Connection refused" when no broker listens', async () => {
    const logger = recordingLogger();
    const streams = new KafkaStreams(filterMapTopology('in', 'out'), {
      applicationId: uniqueName('start-refused'),
      bootstrapServers: '127.0.0.1:1',
      stateDir: stateDir(),
      startTimeoutMs: 3000,
      logger,
    });
    const { error, elapsedMs } = await startAndFail(streams);
    console.log(`[start-failures] refused: rejected after ${elapsedMs} ms: ${error.message}`);
    expect(error.message).toMatch(/within 3000 ms/);
    expect(error.message).toMatch(/127\.0\.0\.1:1.*Connection refused/);
    expect((error as { code?: string }).code).toBe('KASKADE_START_TIMEOUT');
    expect(elapsedMs).toBeGreaterThanOrEqual(2900);
    expect(elapsedMs).toBeLessThan(6000);
    expect(streams.state).toBe('ERROR');
    expect(logger.at('error').some((m) => m.includes('Connection refused'))).toBe(true);
    expect(await streams.close({ timeoutMs: 10_000 })).toBe(true);
  });

  it('should reject within startTimeoutMs with the SSL handshake failure when sasl_ssl meets a plaintext listener', async () => {
    const logger = recordingLogger();
    const streams = new KafkaStreams(filterMapTopology('in', 'out'), {
      applicationId: uniqueName('start-sasl'),
      bootstrapServers: bootstrapServers(),
      stateDir: stateDir(),
      startTimeoutMs: 4000,
      // One shared setting reaches every client (the admin client fails first here).
      clientConfig: {
        'security.protocol': 'sasl_ssl',
        'sasl.mechanisms': 'PLAIN',
        'sasl.username': 'user',
        'sasl.password': 'secret',
      },
      logger,
    });
    const { error, elapsedMs } = await startAndFail(streams);
    console.log(`[start-failures] sasl_ssl: rejected after ${elapsedMs} ms: ${error.message}`);
    expect(error.message).toMatch(/within 4000 ms/);
    expect(error.message).toMatch(/SSL handshake failed/);
    expect(elapsedMs).toBeLessThan(7000);
    expect(streams.state).toBe('ERROR');
    expect(logger.at('error').some((m) => m.includes('SSL handshake failed'))).toBe(true);
    expect(await streams.close({ timeoutMs: 10_000 })).toBe(true);
  });

  it('should reject naming the producer and the SSL handshake failure when only the producer is misconfigured', async () => {
    // librdkafka connects a producer only when it first sends: without a check at start, the instance would report
    // RUNNING and its records would time out. The native producer asks a broker for metadata when it connects.
    const input = uniqueName('start-in');
    const output = uniqueName('start-out');
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const logger = recordingLogger();
    const streams = new KafkaStreams(filterMapTopology(input, output), {
      applicationId: uniqueName('start-producer-ssl'),
      bootstrapServers: bootstrapServers(),
      stateDir: stateDir(),
      startTimeoutMs: 5000,
      producerConfig: { 'security.protocol': 'ssl' },
      logger,
    });
    const { error, elapsedMs } = await startAndFail(streams);
    console.log(`[start-failures] producer ssl: rejected after ${elapsedMs} ms: ${error.message}`);
    expect(error.message).toMatch(/producer connect failed/);
    expect(error.message).toMatch(/SSL handshake failed/);
    expect(elapsedMs).toBeLessThan(8000);
    expect(streams.state).toBe('ERROR');
    expect(await streams.close({ timeoutMs: 10_000 })).toBe(true);
  });

  it('should fail at start naming a missing sink topic', async () => {
    const input = uniqueName('start-in');
    const output = uniqueName('start-missing-out');
    await createTopics({ topic: input, partitions: 1 });
    const logger = recordingLogger();
    const streams = new KafkaStreams(filterMapTopology(input, output), {
      applicationId: uniqueName('start-sink'),
      bootstrapServers: bootstrapServers(),
      stateDir: stateDir(),
      logger,
    });
    const { error, elapsedMs } = await startAndFail(streams);
    expect(error.message).toBe(`sink topic(s) not found: ${output}; create them before starting`);
    expect(elapsedMs).toBeLessThan(10_000);
    expect(streams.state).toBe('ERROR');
    expect(logger.at('error').some((m) => m.includes(output))).toBe(true);
    await streams.close();
  });

  it('should fail at start naming a missing dead-letter topic', async () => {
    const input = uniqueName('start-in');
    const output = uniqueName('start-out');
    const dlq = uniqueName('start-missing-dlq');
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const streams = new KafkaStreams(filterMapTopology(input, output), {
      applicationId: uniqueName('start-dlq'),
      bootstrapServers: bootstrapServers(),
      stateDir: stateDir(),
      deserializationExceptionHandler: 'logAndContinue',
      deadLetterQueueTopic: dlq,
      logger: recordingLogger(),
    });
    const { error } = await startAndFail(streams);
    expect(error.message).toBe(
      `dead-letter topic (deadLetterQueueTopic) not found: ${dlq}; create them before starting`,
    );
    expect(streams.state).toBe('ERROR');
    await streams.close();
  });
});
