// The DSL on the real broker, through the topologies of the runnable examples: a word count over a repartition
// topic, windowed page views with suppression (one final result per window), and the order pipeline (validation,
// deduplication in a window store, a stream-table join). Each test reads its outputs to their end and compares them
// with what the test computes from its own input (test/fixtures/dsl-inputs.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes } from '@kaskade/core';
import { KafkaAdmin } from '@kaskade/core/internal';
import type { StreamsMetrics, Topology } from '@kaskade/core';
import type { ConsumedMessage } from '@kaskade/core/internal';
import { readToEnd, waitUntilCaughtUp } from '../examples/example-kit.js';
import { PAGE_VIEW_WINDOWS, TICK_KEY, pageViewsKeySerde, pageViewsTopology } from '../examples/page-views.js';
import { DEDUP_STORE, DEDUP_WINDOW_MS, DUPLICATE, pipelineTopology } from '../examples/pipeline.js';
import type { EnrichedOrder, FailedOrder } from '../examples/pipeline.js';
import { WORD_COUNT_STORE, wordCountTopology } from '../examples/word-count.js';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { expectedWindowCounts, orderScenario, pageViewInput, wordCountInput } from './fixtures/dsl-inputs.js';
import { createTopics, produce } from './kafka-helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * Runs an application (fresh state directory, quick commits, a quiet logger) until it has processed and committed
 * all its input — after `thenProduce`, if given, has run and the application has caught up again — and closes it.
 * Returns its metrics from before the close.
 */
async function runToCompletion(
  topology: Topology,
  applicationId: string,
  thenProduce?: () => Promise<unknown>,
): Promise<StreamsMetrics> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-dsl-'));
  dirs.push(stateDir);
  const streams = new KafkaStreams(topology, {
    applicationId,
    bootstrapServers: bootstrapServers(),
    stateDir,
    commitIntervalMs: 100,
    logger: quiet,
  });
  const states: string[] = [];
  streams.onStateChange(({ to }) => states.push(to));
  await streams.start();
  try {
    await waitUntilCaughtUp(streams, topology);
    if (thenProduce) {
      await thenProduce();
      await waitUntilCaughtUp(streams, topology);
    }
    return streams.metrics();
  } finally {
    expect(await streams.close()).toBe(true);
    expect(states).toEqual(['REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);
  }
}

async function withAdmin<T>(fn: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = KafkaAdmin.create(bootstrapServers());
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}

const text = (b: Buffer | string | null | undefined): string => (Buffer.isBuffer(b) ? b.toString() : String(b));
const S = Serdes.String();
const I64 = Serdes.Int64();

describe('DSL applications on the real broker', () => {
  it('should count words after a repartition: the last count per word equals the input count', async () => {
    const input = uniqueName('dsl-wc-in');
    const output = uniqueName('dsl-wc-out');
    const appId = uniqueName('dsl-wc-app');
    await createTopics({ topic: input, partitions: 3 }, { topic: output, partitions: 3 });
    const { lines, counts, words } = wordCountInput(3000);
    // No keys, spread over the three partitions (a null-key producer sticks to one partition per batch).
    await produce(
      input,
      lines.map((value, i) => ({ key: null, value, partition: i % 3 })),
    );
    const inputEnds = await withAdmin((a) =>
      a.listOffsets(
        [0, 1, 2].map((p) => ({ topic: input, partition: p })),
        'latest',
      ),
    );
    expect(inputEnds.every((e) => e.offset > 0)).toBe(true);

    const metrics = await runToCompletion(wordCountTopology({ input, output }, { caching: false }), appId);
    // Lines in sub-topology 0, words (from the repartition topic) in sub-topology 1.
    expect(metrics.processed).toBe(lines.length + words);
    expect(metrics.activeTasks).toEqual(['0_0', '0_1', '0_2', '1_0', '1_1', '1_2']);

    const updates = await readToEnd(bootstrapServers(), output);
    const history = new Map<string, number[]>();
    for (const m of updates) {
      const word = S.deserialize(output, Buffer.from(m.key!));
      const seq = history.get(word) ?? [];
      seq.push(I64.deserialize(output, m.value!));
      history.set(word, seq);
    }
    const last = new Map([...history].map(([word, seq]) => [word, seq.at(-1)]));
    expect(last).toEqual(counts);
    // No cache: one update per word occurrence, each word's updates in order on its partition (1, 2, ..., n).
    expect(updates).toHaveLength(words);
    for (const [word, seq] of history)
      expect(seq, word).toEqual(Array.from({ length: counts.get(word)! }, (_, i) => i + 1));

    // Grouping by the word re-keys the stream: a repartition topic named after the store, with the input's partitions.
    const repartition = `${appId}-${WORD_COUNT_STORE}-repartition`;
    const internal = await withAdmin(async (a) => {
      const topics = (await a.listTopics()).filter((t) => t.startsWith(`${appId}-`)).sort();
      return { topics, partitions: await a.partitionCounts(topics) };
    });
    // Besides them, only the application's control topic (pause/resume/rewind of every replica).
    expect(internal.topics).toEqual([`${appId}-control`, `${appId}-${WORD_COUNT_STORE}-changelog`, repartition]);
    expect(internal.partitions.get(repartition)).toBe(3);
    expect(internal.partitions.get(`${appId}-${WORD_COUNT_STORE}-changelog`)).toBe(3);
  });

  it('should emit exactly one final count per page and window once stream time passes window end + grace', async () => {
    const input = uniqueName('dsl-pv-in');
    const output = uniqueName('dsl-pv-out');
    const appId = uniqueName('dsl-pv-app');
    const partitions = 3;
    await createTopics({ topic: input, partitions }, { topic: output, partitions });
    const { sizeMs, graceMs } = PAGE_VIEW_WINDOWS;
    // Event time two hours ago, on a window boundary: the broker refuses timestamps far in the future.
    const start = Math.floor((Date.now() - 2 * 3_600_000) / sizeMs) * sizeMs;
    const views = pageViewInput(start, partitions);
    const expected = expectedWindowCounts(views, sizeMs, graceMs);
    // The scenario must exercise both sides of the grace period.
    expect(expected.late).toBeGreaterThanOrEqual(4);
    expect(expected.outOfOrderAccepted).toBeGreaterThanOrEqual(5);
    // Stream time is per partition: a tick far ahead on every partition closes every window of the input.
    const ticks = Array.from({ length: partitions }, (_, partition) => ({
      key: TICK_KEY,
      value: 'tick',
      timestamp: start + 60 * 60_000,
      partition,
    }));
    await produce(input, [
      ...views.map((v) => ({ key: v.page, value: 'user', timestamp: v.timestamp, partition: v.partition })),
      ...ticks,
    ]);

    const metrics = await runToCompletion(pageViewsTopology({ input, output }), appId);
    expect(metrics.processed).toBe(views.length + ticks.length);
    expect(metrics.droppedByReason['late']).toBe(expected.late);

    const keySerde = pageViewsKeySerde();
    const finals = (await readToEnd(bootstrapServers(), output)).map((m: ConsumedMessage) => {
      const key = keySerde.deserialize(output, Buffer.from(m.key!));
      return {
        cell: `${key.key}@${key.window.start}`,
        end: key.window.end,
        start: key.window.start,
        count: I64.deserialize(output, m.value!),
        timestamp: m.timestamp,
      };
    });
    // Exactly one result per (page, window), none for the ticks, each the count of the views in time.
    expect(finals).toHaveLength(expected.results.size);
    expect(new Set(finals.map((f) => f.cell)).size).toBe(finals.length);
    expect(new Map(finals.map((f) => [f.cell, f.count]))).toEqual(
      new Map([...expected.results].map(([cell, r]) => [cell, r.count])),
    );
    // Stamped with the window's latest record; the windowed key carries start and end.
    expect(new Map(finals.map((f) => [f.cell, f.timestamp]))).toEqual(
      new Map([...expected.results].map(([cell, r]) => [cell, r.timestamp])),
    );
    expect(finals.every((f) => f.end === f.start + sizeMs)).toBe(true);
  });

  it('should validate, deduplicate and enrich orders: enriched, failed and duplicate counts as expected', async () => {
    const topics = {
      orders: uniqueName('dsl-pl-orders'),
      customers: uniqueName('dsl-pl-customers'),
      enriched: uniqueName('dsl-pl-enriched'),
      failed: uniqueName('dsl-pl-failed'),
    };
    const appId = uniqueName('dsl-pl-app');
    await createTopics(...Object.values(topics).map((topic) => ({ topic, partitions: 3 })));
    const scenario = orderScenario(Date.now() - 3_600_000, 600, DEDUP_WINDOW_MS);
    expect(scenario.failed).toBeGreaterThan(30);
    expect(scenario.duplicates).toBeGreaterThan(30);
    expect(scenario.enriched.some((e) => e.customerName === null)).toBe(true);
    await produce(
      topics.customers,
      scenario.customers.map((c) => ({
        key: c.id,
        value: JSON.stringify({ name: c.name, tier: c.tier, country: 'nl' }),
      })),
    );

    // The join sees the table as it is when an order is processed: the customers are loaded before orders come.
    const metrics = await runToCompletion(pipelineTopology(topics), appId, () =>
      produce(topics.orders, scenario.orders),
    );
    expect(metrics.droppedByReason[DUPLICATE]).toBe(scenario.duplicates);

    const failed = await readToEnd(bootstrapServers(), topics.failed);
    expect(failed).toHaveLength(scenario.failed);
    const reasons = failed.map((m) => (JSON.parse(text(m.value)) as FailedOrder).reason);
    expect(reasons.some((r) => r.startsWith('not JSON'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('quantity:'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('customerId:'))).toBe(true);
    expect(reasons.some((r) => r.includes('is not the orderId'))).toBe(true);

    const enriched = (await readToEnd(bootstrapServers(), topics.enriched)).map((m) => ({
      key: text(m.key),
      value: JSON.parse(text(m.value)) as EnrichedOrder,
    }));
    expect(enriched).toHaveLength(scenario.enriched.length);
    expect(enriched.every((e) => e.key === e.value.orderId)).toBe(true);
    const byId = (list: readonly { orderId: string }[]) => [...list].sort((a, b) => a.orderId.localeCompare(b.orderId));
    expect(
      byId(
        enriched.map(({ value: e }) => ({
          orderId: e.orderId,
          customerName: e.customerName,
          totalCents: e.totalCents,
          currency: e.currency,
        })),
      ),
    ).toEqual(byId(scenario.enriched));
    expect(enriched.filter((e) => e.value.customerName !== null).every((e) => e.value.country === 'NL')).toBe(true);

    // Internal topics: the join's repartition topic (co-partitioned with the customers), the dedup store's changelog.
    const partitions = await withAdmin((a) =>
      a.partitionCounts([`${appId}-enrich-repartition`, `${appId}-${DEDUP_STORE}-changelog`]),
    );
    expect([...partitions.values()]).toEqual([3, 3]);
  });
});
