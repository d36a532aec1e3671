import { Serdes } from '@kaskade/core';
import { KafkaAdmin, changelogTopicName } from '@kaskade/core/internal';
import type { RestoreProgress, Topology } from '@kaskade/core';
import { Consumed, Materialized, StreamsBuilder } from '@kaskade/dsl';
import { PARTITIONS, endOffsetSum } from '../lib/data.js';
import { closeAndCheck, createStreams, onStreamsError, runUntilProcessed } from '../lib/kaskade-runner.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';
import type { StartProbe } from '../lib/start-probe.js';

const STORE = 'restore-counts';

/**
 * A count per key whose changelog gets one record per input record: caching off (explicitly: the DSL caches by default), so
 * every update reaches the changelog. No sink: the store is the point. The same topology in `prepare` and `run`, so
 * that both name the store (and its changelog) alike.
 */
function countTopology(ctx: RungContext, probe?: StartProbe): Topology {
  const builder = new StreamsBuilder();
  const keySerde = probe ? probe.wrap(Serdes.Int32()) : Serdes.Int32();
  builder
    .stream(ctx.inputTopic, Consumed.with(keySerde, Serdes.Bytes()))
    .groupByKey()
    .count(Materialized.as<number, number>(STORE).withCachingDisabled());
  return builder.build();
}

/**
 * Untimed: runs the count over the whole input, so that the store's changelog holds one record per input record,
 * closes (which commits the input offsets: the timed runs find nothing left to process) and deletes the local state.
 */
async function prepare(ctx: RungContext): Promise<void> {
  const bench = await runUntilProcessed(ctx, 'at_least_once', ctx.records, (probe) => countTopology(ctx, probe));
  if (bench.records < ctx.records) throw new Error(`prepare processed ${bench.records} of ${ctx.records} records`);
  const admin = KafkaAdmin.create(ctx.bootstrapServers);
  try {
    const changelog = await endOffsetSum(admin, changelogTopicName(ctx.groupId, STORE));
    if (changelog !== ctx.records) {
      throw new Error(`the changelog holds ${changelog} records, expected one per input record (${ctx.records})`);
    }
  } finally {
    admin.close();
  }
  // The runner deletes the state directory too; a run must never find this one's store.
  const { streams } = createStreams(ctx, 'at_least_once', countTopology(ctx));
  streams.cleanUp();
}

/**
 * Restores the prepared store into an empty state directory. The clock runs from the first `onRestoreStart` (the
 * restore consumer is connected, the changelog partitions' ends are known) to the last `onRestoreEnd`; joining the
 * group and opening the stores before it show as startup, closing after it is not timed.
 */
async function run(ctx: RungContext): Promise<RungResult> {
  const started = new Map<string, RestoreProgress>();
  const ended = new Map<string, RestoreProgress>();
  let restored = 0;
  ctx.setProgressSource(() => restored);
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => undefined);
  const bench = createStreams(ctx, 'at_least_once', countTopology(ctx), {
    restoreListener: {
      onRestoreStart(p) {
        ctx.markStart();
        started.set(`${p.topic}:${p.partition}`, p);
      },
      onBatchRestored(p) {
        restored += p.restored;
      },
      onRestoreEnd(p) {
        ended.set(`${p.topic}:${p.partition}`, p);
        if (ended.size === PARTITIONS) {
          ctx.markDrained();
          ctx.markEnd();
          resolve();
        }
      },
    },
  });
  onStreamsError(bench, reject);
  // Running without a restore first: the state directory was not empty, or the changelog is.
  bench.streams.onStateChange(({ to }) => {
    if (to === 'RUNNING' && ended.size < PARTITIONS) {
      reject(new Error(`the instance is RUNNING after restoring ${ended.size} of ${PARTITIONS} changelog partitions`));
    }
  });
  let failure: unknown;
  try {
    await bench.streams.start();
    await done;
  } catch (e) {
    failure = e;
  }
  await closeAndCheck(bench, failure);
  const expected = [...started.values()].reduce((sum, p) => sum + (p.endOffset - p.startOffset), 0);
  if (restored !== expected || restored !== ctx.records) {
    throw new Error(
      `restored ${restored} records; the changelog partitions hold ${expected}, the input ${ctx.records} (compacted?)`,
    );
  }
  return { records: restored };
}

/** How fast a store comes back from its changelog after its local state is lost (`records` changelog records). */
export const dslRestore: Rung = {
  name: 'dsl-restore',
  description:
    'restore of a DSL count store (persistent) from its changelog (one record per input record) into an empty state directory; records/s = records restored per second',
  guarantee: 'at_least_once',
  kind: 'restore',
  writesOutput: false,
  prepare,
  run,
};
