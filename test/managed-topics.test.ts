// Managed output topics (Produced.withTopicConfig) on the real broker: a missing sink topic is created at start with
// the given partitions and configs and receives the output; an existing one that differs (partitions, a config) is
// refused at start with an error naming each difference.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes } from '@kaskade/core';
import type { SinkTopicConfig } from '@kaskade/core';
import { KafkaAdmin, describeTopicConfigs } from '@kaskade/core/internal';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic, str } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const S = Serdes.String();

function app(input: string, output: string, topicConfig: SinkTopicConfig): KafkaStreams {
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(S, S))
    .mapValues((v) => v.toUpperCase())
    .to(output, Produced.with(S, S).withTopicConfig(topicConfig));
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-managed-'));
  dirs.push(stateDir);
  return new KafkaStreams(builder.build(), {
    applicationId: uniqueName('managed-app'),
    bootstrapServers: bootstrapServers(),
    stateDir,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

async function startError(streams: KafkaStreams): Promise<Error> {
  try {
    await streams.start();
  } catch (e) {
    return e as Error;
  } finally {
    await streams.close();
  }
  throw new Error('start() resolved but was expected to reject');
}

const CONFIGS = { 'cleanup.policy': 'compact', 'retention.ms': '123456789' };

describe('managed output topics (broker)', () => {
  it('should create a missing sink topic with the given partitions and configs, and write to it', async () => {
    const input = uniqueName('managed-in');
    const output = uniqueName('managed-out');
    await createTopics({ topic: input, partitions: 2 });
    const streams = app(input, output, { partitions: 3, replicationFactor: 1, configs: CONFIGS });
    try {
      await streams.start();
      const admin = KafkaAdmin.create(bootstrapServers());
      try {
        expect((await admin.partitionCounts([output])).get(output)).toBe(3);
      } finally {
        admin.close();
      }
      const configs = await describeTopicConfigs(bootstrapServers(), {}, output, Object.keys(CONFIGS), 10_000);
      expect(Object.fromEntries(configs)).toEqual(CONFIGS);
      await produce(input, [
        { key: 'a', value: 'one' },
        { key: 'b', value: 'two' },
      ]);
      const out = await readTopic(output, (all) => all.length >= 2);
      expect(out.map((m) => str(m.value)).sort()).toEqual(['ONE', 'TWO']);
    } finally {
      await streams.close();
    }
  });

  it('should start on an existing sink topic that matches its topicConfig', async () => {
    const input = uniqueName('managed-in');
    const output = uniqueName('managed-out');
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 2, config: CONFIGS });
    const streams = app(input, output, { partitions: 2, configs: CONFIGS });
    try {
      await streams.start();
      await eventually(() => streams.state === 'RUNNING', 60_000, 'RUNNING');
      expect(streams.state).toBe('RUNNING');
    } finally {
      await streams.close();
    }
  });

  it('should refuse to start on an existing sink topic whose partitions or configs differ, naming each difference', async () => {
    const input = uniqueName('managed-in');
    const output = uniqueName('managed-out');
    await createTopics(
      { topic: input, partitions: 1 },
      { topic: output, partitions: 2, config: { 'cleanup.policy': 'delete' } },
    );
    const error = await startError(app(input, output, { partitions: 3, configs: CONFIGS }));
    expect(error.name).toBe('TopologyError');
    expect(error.message).toContain(
      `sink topic "${output}" (sink "KSTREAM-SINK-0000000002") differs from its topicConfig`,
    );
    expect(error.message).toContain('partitions: 2, the topicConfig says 3');
    expect(error.message).toContain('cleanup.policy: "delete", the topicConfig says "compact"');
    expect(error.message).toContain('retention.ms: "604800000", the topicConfig says "123456789"');
    expect((error as Error & { context?: { topic?: string } }).context?.topic).toBe(output);
  });
});
