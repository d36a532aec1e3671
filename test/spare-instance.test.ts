// An instance the group gives no task (more instances than input partitions) is a running spare, as in Kafka Streams:
// it reports RUNNING once its (empty) assignment is handled, not REBALANCING for ever — and it takes the work over when
// the instance that had it leaves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, silentLogger } from '@kaskade/core';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { readToEnd } from '@kaskade/testing';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a spare instance (real broker)', () => {
  it('should report RUNNING with no task, and take the task over when the instance that had it closes', async () => {
    const [input, output] = [uniqueName('spare-in'), uniqueName('spare-out')];
    await createTopics({ topic: input, partitions: 1 }, { topic: output, partitions: 1 });
    const applicationId = uniqueName('spare-app');
    const S = Serdes.String();
    const make = (instanceId: string) => {
      const b = new StreamsBuilder();
      b.stream(input, Consumed.with(S, S))
        .mapValues((v) => v.toUpperCase())
        .to(output, Produced.with(S, S));
      const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-spare-'));
      dirs.push(stateDir);
      return new KafkaStreams(b.build(), {
        applicationId,
        instanceId,
        bootstrapServers: bootstrapServers(),
        stateDir,
        logger: silentLogger,
      });
    };
    const first = make('first');
    const second = make('second');
    await first.start();
    await eventually(() => first.state === 'RUNNING', 60_000, 'the first instance RUNNING');
    await second.start();
    try {
      await eventually(
        () => first.state === 'RUNNING' && second.state === 'RUNNING',
        60_000,
        () => `both RUNNING (first ${first.state}, second ${second.state})`,
      );
      // One partition, one task: exactly one of them has it.
      const tasks = [first, second].map((s) => s.metrics().activeTasks.length);
      expect([...tasks].sort()).toEqual([0, 1]);
      const owner = tasks[0] === 1 ? first : second;
      const spare = owner === first ? second : first;
      await produce(input, [{ key: 'k', value: 'before' }]);
      await eventually(async () => (await readToEnd(bootstrapServers(), output)).length >= 1, 60_000, 'one output');
      await owner.close();
      await produce(input, [{ key: 'k', value: 'after' }]);
      await eventually(async () => (await readToEnd(bootstrapServers(), output)).length >= 2, 90_000, 'two outputs');
      expect(spare.state).toBe('RUNNING');
      const read = await readToEnd(bootstrapServers(), output);
      expect(read.map((m) => m.value!.toString())).toEqual(['BEFORE', 'AFTER']);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
