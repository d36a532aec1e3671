// The claim check on the TopologyTestDriver: large values go to the blob store and come back; small ones stay inline;
// blob names follow the content (a redone upload writes the same blob); the sweep deletes by age; bad options fail
// at construction.
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '@kaskade/core';
import {
  CLAIM_CHECK_HEADER,
  ClaimCheckError,
  Consumed,
  LocalDirectoryBlobStore,
  Produced,
  StreamsBuilder,
} from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { S } from './dsl-test-helpers.js';

const dirs: string[] = [];
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kaskade-claim-'));
  dirs.push(d);
  return d;
};

describe('claim check (TopologyTestDriver)', () => {
  it('should move values over the threshold to the store, pass a reference, and resolve it on the far side', async () => {
    const dir = tempDir();
    const store = new LocalDirectoryBlobStore(dir);
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .claimCheck({ store, topic: 'mid', thresholdBytes: 100 })
      .to('mid', Produced.with(S, Serdes.Bytes()));
    builder
      .stream('mid', Consumed.with(S, Serdes.Bytes()))
      .resolveClaimCheck({ store, topic: 'mid', valueSerde: S })
      .to('out', Produced.with(S, S));
    driver = new TopologyTestDriver(builder.build(), { initialWallClockTimeMs: 0 });
    const big = 'x'.repeat(10_000);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', big);
    input.pipeInput('b', 'small');
    input.pipeInput('c', big);
    await driver.settle();
    // Different keys run concurrently, so they may leave in any order.
    const mid = driver
      .createOutputTopic('mid', S, Serdes.Bytes())
      .readRecordsToList()
      .sort((x, y) => x.key!.localeCompare(y.key!));
    expect(mid.map((r) => r.headers.lastString(CLAIM_CHECK_HEADER))).toEqual(['sha256', undefined, 'sha256']);
    expect(mid[0]!.value!.length).toBeLessThan(100);
    // The same content twice is one blob.
    expect(mid[0]!.value!.equals(mid[2]!.value!)).toBe(true);
    expect(readdirSync(join(dir, 'mid'))).toEqual([mid[0]!.value!.toString().slice('mid/'.length)]);
    await driver.settle();
    const out = driver
      .createOutputTopic('out', S, S)
      .readRecordsToList()
      .sort((x, y) => x.key!.localeCompare(y.key!));
    expect(out.map((r) => [r.key, r.value])).toEqual([
      ['a', big],
      ['b', 'small'],
      ['c', big],
    ]);
    expect(out.every((r) => r.headers.lastHeader(CLAIM_CHECK_HEADER) === undefined)).toBe(true);
  });

  it('should refresh a blob written again and sweep only blobs older than the cutoff, per topic prefix', async () => {
    const dir = tempDir();
    const store = new LocalDirectoryBlobStore(dir);
    await store.put('t1/sha256-old', Buffer.from('old'));
    await store.put('t1/sha256-new', Buffer.from('new'));
    await store.put('t2/sha256-old', Buffer.from('other topic'));
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const p of ['t1/sha256-old', 't1/sha256-new', 't2/sha256-old']) utimesSync(join(dir, p), hourAgo, hourAgo);
    await store.put('t1/sha256-new', Buffer.from('new'));
    expect(await store.deleteOlderThan('t1/', Date.now() - 60_000)).toBe(1);
    expect(existsSync(join(dir, 't1/sha256-old'))).toBe(false);
    expect((await store.get('t1/sha256-new')).toString()).toBe('new');
    expect((await store.get('t2/sha256-old')).toString()).toBe('other topic');
    await expect(store.get('t1/sha256-old')).rejects.toBeInstanceOf(ClaimCheckError);
    await expect(store.put('../escape', Buffer.from('x'))).rejects.toThrow(/bad blob name/);
  });

  it('should fail at construction on bad options, naming the option', () => {
    const store = new LocalDirectoryBlobStore(tempDir());
    const s = new StreamsBuilder().stream('in', Consumed.with(S, S));
    const bad = (f: () => unknown, field: string) => {
      expect(f).toThrow(ClaimCheckError);
      expect(f).toThrow(new RegExp(field));
    };
    bad(() => s.claimCheck({ store, topic: 'mid', thresholdBytes: -1 }), 'thresholdBytes');
    bad(() => s.claimCheck({ store, topic: '', thresholdBytes: 1 }), 'topic');
    bad(() => s.claimCheck({ store: {} as never, topic: 'mid', thresholdBytes: 1 }), 'store');
    bad(() => s.claimCheck({ store, topic: 'mid', thresholdBytes: 1, retentionMs: 0 }), 'retentionMs');
    bad(() => new StreamsBuilder().stream('in').claimCheck({ store, topic: 'mid', thresholdBytes: 1 }), 'valueSerde');
    bad(
      () => s.mapValues((v): Buffer => Buffer.from(v)).resolveClaimCheck({ store, topic: 'mid' } as never),
      'valueSerde',
    );
  });
});
