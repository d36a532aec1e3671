// Restoration through Kaskade's native batch consumer (packages/core/native; `nativeClient`) on the real broker: the
// changelogs of a persistent (LMDB) and an in-memory store, written by a transactional producer — puts, overwrites, empty values, tombstones, a transaction
// that is aborted and a key written only in it — is restored into an empty state directory once through the native
// consumer ('required': it must be built, no fallback) and once through the Kafka client ('off'), under exactly-once
// (read_committed). Every store must hold exactly what the committed changelog says, byte for byte.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, QueryableStoreTypes, Serdes, Topology } from '@kaskade/core';
import type { RestoreProgress } from '@kaskade/core';
import { KafkaProducerClient, changelogTopicName } from '@kaskade/core/internal';
import { Stores } from '@kaskade/state-store';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually } from './kafka-helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const STORE = 'kv';
const MEMORY_STORE = 'mem';
const PARTITIONS = 2;
const KEYS = 3_000;

/** A topology whose only state is the stores `kv` (LMDB) and `mem` (in memory), String → String, logged. */
function topology(input: string): Topology {
  const S = Serdes.String();
  return new Topology()
    .addSource('in', input, { keySerde: S, valueSerde: S })
    .addProcessor('put', () => ({ process() {} }), 'in')
    .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), S, S), 'put')
    .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(MEMORY_STORE), S, S), 'put');
}

describe('restoration through the native batch consumer (real broker)', () => {
  it('should restore exactly the committed changelog — overwrites, empty values, tombstones, no aborted records — like the Kafka client does', async () => {
    const input = uniqueName('nr-in');
    const appId = uniqueName('nr-app');
    const changelogs = [changelogTopicName(appId, STORE), changelogTopicName(appId, MEMORY_STORE)];
    await createTopics(
      { topic: input, partitions: PARTITIONS },
      ...changelogs.map((topic) => ({ topic, partitions: PARTITIONS, config: { 'cleanup.policy': 'compact' } })),
    );

    // The changelog, as an exactly-once application would have written it: transactions, one of them aborted.
    const expected = new Map<string, string>();
    const producer = new KafkaProducerClient({
      bootstrapServers: bootstrapServers(),
      config: { 'transactional.id': `${appId}-writer`, 'linger.ms': 5 },
    });
    await producer.connect();
    await producer.initTransactions();
    const put = (key: string, value: string | null, keep: boolean) => {
      const partition = Number(key.slice(1)) % PARTITIONS;
      const bytes = value === null ? null : Buffer.from(value);
      for (const changelog of changelogs) {
        if (!producer.produce(changelog, partition, bytes, Buffer.from(key), 1)) throw new Error('producer queue full');
      }
      if (!keep) return;
      if (value === null) expected.delete(key);
      else expected.set(key, value);
    };
    await producer.beginTransaction();
    for (let i = 0; i < KEYS; i++) put(`k${i}`, i % 97 === 0 ? '' : `v${i}`, true);
    await producer.commitTransaction();
    await producer.beginTransaction();
    for (let i = 0; i < KEYS; i += 3) put(`k${i}`, `w${i}`, true); // overwrites
    for (let i = 1; i < KEYS; i += 10) put(`k${i}`, null, true); // deletes
    await producer.commitTransaction();
    await producer.beginTransaction();
    for (let i = 2; i < KEYS; i += 7) put(`k${i}`, 'aborted', false);
    put('k999999', 'only in an aborted transaction', false);
    await producer.flush(); // on the broker before the abort (librdkafka drops what it has not sent yet)
    await producer.abortTransaction();
    await producer.beginTransaction();
    put('k5', 'last', true);
    await producer.commitTransaction();
    await producer.disconnect();
    expect(expected.get('k0')).toBe('w0');
    expect(expected.has('k1')).toBe(false);
    expect(expected.get('k97')).toBe('');

    const restoreInto = async (nativeClient: 'required' | 'off') => {
      const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-native-restore-'));
      dirs.push(stateDir);
      const restored: RestoreProgress[] = [];
      const streams = new KafkaStreams(
        topology(input),
        {
          applicationId: appId,
          bootstrapServers: bootstrapServers(),
          stateDir,
          processingGuarantee: 'exactly_once_v2',
          nativeClient,
        },
        { restoreListener: { onRestoreEnd: (p) => restored.push(p) } },
      );
      try {
        await streams.start();
        await eventually(
          () => streams.state === 'RUNNING' && restored.length === 2 * PARTITIONS,
          60_000,
          `every changelog partition restored (${nativeClient})`,
        );
        const contents = (name: string) =>
          new Map(
            [...streams.store(name, QueryableStoreTypes.keyValueStore<string, string>()).all()].map((kv) => [
              kv.key,
              kv.value,
            ]),
          );
        return {
          data: contents(STORE),
          memory: contents(MEMORY_STORE),
          records: restored.reduce((n, p) => n + p.restored, 0),
        };
      } finally {
        await streams.close();
      }
    };

    const native = await restoreInto('required');
    const client = await restoreInto('off');
    console.log(
      `[native-restore] ${expected.size} keys; records applied: native ${native.records}, client ${client.records}`,
    );
    expect(native.data).toEqual(expected);
    expect(native.memory).toEqual(expected);
    expect(client.data).toEqual(expected);
    expect(client.memory).toEqual(expected);
    expect(native.records).toBe(client.records);
  }, 180_000);
});
