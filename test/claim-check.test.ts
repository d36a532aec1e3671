// The claim check on the real broker under exactly_once_v2: 5 MiB values (incompressible) pass through a topic whose
// max.message.bytes is 1 MiB, as a header and a blob name, and come out whole on the far side; the blobs are swept
// once they are older than the topic's retention.
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes } from '@kaskade/core';
import { CLAIM_CHECK_HEADER, Consumed, LocalDirectoryBlobStore, Produced, StreamsBuilder } from '@kaskade/dsl';
import { describeTopicConfig } from '@kaskade/testing';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readTopic, str } from './kafka-helpers.js';

const S = Serdes.String();
const B = Serdes.Bytes();
const MIB = 1024 * 1024;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** 5 MiB that no compression shrinks, the same for the same seed (AES-CTR over zeros). */
function payload(seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(5 * MIB));
}
const digest = (b: Buffer) => `${b.length}:${createHash('sha256').update(b).digest('hex')}`;

describe('claim check (broker)', () => {
  it('should pass 5 MiB values through a topic of max.message.bytes 1 MiB under exactly_once_v2, and sweep the blobs after retention', async () => {
    const [input, mid, output, appId] = ['cc-in', 'cc-mid', 'cc-out', 'cc-app'].map(uniqueName) as [
      string,
      string,
      string,
      string,
    ];
    const retentionMs = 12_000;
    const mib = String(MIB);
    await createTopics(
      { topic: input, partitions: 2 },
      { topic: mid, partitions: 2, config: { 'max.message.bytes': mib, 'retention.ms': String(retentionMs) } },
      { topic: output, partitions: 2 },
    );
    expect((await describeTopicConfig(bootstrapServers(), mid))['max.message.bytes']).toBe(mib);
    const blobs = tempDir('kaskade-claim-blobs-');
    const store = new LocalDirectoryBlobStore(blobs);
    const builder = new StreamsBuilder();
    builder
      .stream(input, Consumed.with(S, S))
      .mapValues((seed) => payload(seed))
      .claimCheck({ store, topic: mid, thresholdBytes: 256 * 1024, valueSerde: B, retentionMs, sweepIntervalMs: 1_000 })
      .to(mid, Produced.with(S, B));
    builder
      .stream(mid, Consumed.with(S, B))
      .resolveClaimCheck({ store, topic: mid, valueSerde: B })
      .mapValues(digest)
      .to(output, Produced.with(S, S));
    const topology = builder.build();
    const streams = new KafkaStreams(topology, {
      applicationId: appId,
      bootstrapServers: bootstrapServers(),
      stateDir: tempDir('kaskade-claim-state-'),
      processingGuarantee: 'exactly_once_v2',
      commitIntervalMs: 200,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const seeds = Array.from({ length: 6 }, (_, i) => `seed-${i}`);
    await produce(
      input,
      seeds.map((s) => ({ key: s, value: s })),
    );
    await streams.start();
    try {
      const out = await readTopic(output, (all) => all.length >= seeds.length, {
        timeoutMs: 120_000,
        isolation: 'read_committed',
      });
      expect(new Map(out.map((r) => [str(r.key), str(r.value)]))).toEqual(
        new Map(seeds.map((s) => [s, digest(payload(s))])),
      );
      expect(out).toHaveLength(seeds.length);
      const checked = await readTopic(mid, (all) => all.length >= seeds.length, { isolation: 'read_committed' });
      for (const r of checked) {
        expect(r.value!.length).toBeLessThan(200);
        expect(r.headers?.some((h) => CLAIM_CHECK_HEADER in h)).toBe(true);
      }
      expect(streams.metrics().droppedByReason).toEqual({});
      // The sweep (every second, in this instance) deletes each blob once it is older than the retention.
      await eventually(() => readdirSync(join(blobs, mid)).length === 0, 60_000, 'the blobs to be swept');
    } finally {
      expect(await streams.close()).toBe(true);
    }
  });
});
