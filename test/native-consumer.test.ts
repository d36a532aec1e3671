// The stream thread's native consumer (packages/core/native/src/group-consumer.cc, `NativeConsumerClient`; opt-in with
// `nativeConsumer`) on the real broker: group membership with rebalance events answered from JavaScript under both
// protocols, commits with metadata read back, positions, seeks, watermarks, pause and resume — and a topology reading
// through it (a repartitioning word count) gives the same counts as with the Kafka client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes } from '@kaskade/core';
import type { Logger } from '@kaskade/core';
import { NativeConsumerClient } from '@kaskade/core/internal';
import type { ConsumedMessage, RebalanceEvent } from '@kaskade/core/internal';
import { Consumed, Grouped, Produced, StreamsBuilder } from '@kaskade/dsl';
import { readToEnd } from '@kaskade/testing';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function member(groupId: string, protocol: 'consumer' | 'classic', events: RebalanceEvent[]): NativeConsumerClient {
  const c: NativeConsumerClient = new NativeConsumerClient({
    bootstrapServers: bootstrapServers(),
    groupId,
    pollTimeoutMs: 100,
    config: { 'group.protocol': protocol },
    onRebalance: (e) => {
      events.push(e);
      if (e.kind === 'assign') c.assign(e.partitions, e.protocol);
      else c.unassign(e.partitions, e.protocol);
    },
  });
  return c;
}

describe('the native consumer (real broker)', () => {
  for (const protocol of ['consumer', 'classic'] as const) {
    it(`should share a topic's partitions between two members (${protocol} protocol), reading every record once`, async () => {
      const topic = uniqueName(`native-consumer-${protocol}`);
      await createTopics({ topic, partitions: 4 });
      await produce(
        topic,
        Array.from({ length: 400 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 4 })),
      );
      const groupId = uniqueName('native-consumer-group');
      const events: RebalanceEvent[][] = [[], []];
      const members = [member(groupId, protocol, events[0]!), member(groupId, protocol, events[1]!)];
      const seen: ConsumedMessage[][] = [[], []];
      try {
        await Promise.all(members.map((m) => m.connect()));
        members.forEach((m) => m.subscribe([topic]));
        await eventually(
          async () => {
            const batches = await Promise.all(members.map((m) => m.consumeBatch(100)));
            batches.forEach((b, i) => seen[i]!.push(...b));
            return seen[0]!.length + seen[1]!.length >= 400 && members.every((m) => m.assignments().length === 2);
          },
          60_000,
          'both members with 2 partitions and every record read',
        );
        const all = [...seen[0]!, ...seen[1]!];
        // Each record once, across members; each member read only its own partitions.
        expect(new Set(all.map((m) => `${m.partition}:${m.offset}`)).size).toBe(all.length);
        expect(all.map((m) => m.value!.toString()).sort()).toEqual(
          Array.from({ length: 400 }, (_, i) => `v${i}`).sort(),
        );
        for (const m of all) expect(m.key!.toString()).toBe(`k${m.value!.toString().slice(1)}`);
        for (const m of all) expect(m.topic).toBe(topic);
        expect(events.flat().some((e) => e.kind === 'assign' && e.partitions.length > 0)).toBe(true);
        // Positions are what was handed over; watermarks from the broker.
        const [a] = members;
        const mine = a!.assignments()[0]!;
        const last = seen[0]!.filter((m) => m.partition === mine.partition).at(-1);
        if (last) expect(a!.position(topic, mine.partition)).toBe(last.offset + 1);
        expect(await a!.watermarks(topic, mine.partition)).toEqual({ low: 0, high: 100 });
        // Commits carry their metadata back; a seek rereads from there.
        await a!.commit([{ topic, partition: mine.partition, offset: 40, metadata: 'kaskade:test' }]);
        expect(await a!.committed([mine])).toEqual([
          { topic, partition: mine.partition, offset: 40, metadata: 'kaskade:test' },
        ]);
        await a!.seek({ topic, partition: mine.partition, offset: 90 });
        let again: readonly ConsumedMessage[] = [];
        await eventually(
          async () => (again = (await a!.consumeBatch(100)).filter((m) => m.partition === mine.partition)).length > 0,
          30_000,
          'records after the seek',
        );
        expect(again[0]!.offset).toBe(90);
        // Paused partitions deliver nothing; resumed, they deliver again.
        await produce(topic, [{ key: 'p', value: 'after-pause', partition: mine.partition }]);
        a!.pause([mine]);
        const whilePaused = [...(await a!.consumeBatch(100)), ...(await a!.consumeBatch(100))];
        expect(whilePaused.filter((m) => m.partition === mine.partition && m.offset >= 100)).toEqual([]);
        a!.resume([mine]);
        await eventually(
          async () => (await a!.consumeBatch(100)).some((m) => m.value?.toString() === 'after-pause'),
          30_000,
          'the record produced while paused',
        );
      } finally {
        await Promise.all(members.map((m) => m.disconnect()));
      }
    });
  }

  it('should run a repartitioning word count through it with the same counts', async () => {
    const [input, output] = [uniqueName('native-consumer-in'), uniqueName('native-consumer-out')];
    await createTopics({ topic: input, partitions: 3 }, { topic: output, partitions: 3 });
    const S = Serdes.String();
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
      .flatMapValues((line) => line.split(' '))
      .groupBy((_k, word) => word, Grouped.with(S, S))
      .count()
      .toStream()
      .to(output, Produced.with(S, Serdes.Int64()));
    const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-native-consumer-'));
    dirs.push(stateDir);
    const lines: string[] = [];
    const logger: Logger = {
      debug: (m) => lines.push(m),
      info: (m) => lines.push(m),
      warn: (m) => lines.push(m),
      error: (m) => lines.push(m),
    };
    const streams = new KafkaStreams(b.build(), {
      applicationId: uniqueName('native-consumer-app'),
      bootstrapServers: bootstrapServers(),
      stateDir,
      logger,
      nativeClient: 'required',
      nativeConsumer: true,
      commitIntervalMs: 200,
    });
    await streams.start();
    try {
      const words = ['alpha', 'beta', 'gamma', 'delta'];
      await produce(
        input,
        Array.from({ length: 300 }, (_, i) => ({ key: `l${i}`, value: `${words[i % 4]} ${words[(i + 1) % 4]}` })),
      );
      const latest = new Map<string, bigint>();
      await eventually(
        async () => {
          for (const m of await readToEnd(bootstrapServers(), output)) {
            latest.set(m.key!.toString(), m.value!.readBigInt64BE());
          }
          return words.every((w) => latest.get(w) === 150n);
        },
        60_000,
        () => `every word counted 150 times (${JSON.stringify([...latest].map(([k, v]) => [k, Number(v)]))})`,
      );
      expect(lines).toContain('consuming through the native batch consumer');
    } finally {
      await streams.close();
    }
  });
});
