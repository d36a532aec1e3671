// Page views per page and minute, one final count per window: a windowed count whose updates are held back by
// `suppress(untilWindowCloses)` until the window's end + grace has passed in stream time.
//
//   node --conditions=kaskade-source --import tsx examples/page-views.ts   (starts a local broker when KASKADE_BOOTSTRAP_SERVERS is not set)
//
// Stream time is kept per task, that is per input partition, and advances only with the records of that partition:
// a window's final count appears once a record with a later timestamp arrives on the same partition. A stream that
// goes quiet keeps its last windows open — so at the end of its input this example sends a "tick" record (key
// `__tick__`) with a later timestamp to every partition.
import type { Topology } from 'kaskade';
import {
  BufferConfig,
  Consumed,
  KafkaStreams,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  WindowedSerdes,
} from 'kaskade';
import type { SampleRecord } from './example-kit.js';
import {
  createExampleTopics,
  isEntryPoint,
  produceRecords,
  readToEnd,
  runExample,
  waitUntilCaughtUp,
} from './example-kit.js';

export interface PageViewsTopics {
  /** Page views: key = page, value = user. */
  readonly input: string;
  /** Final counts: key = windowed page ({@link pageViewsKeySerde}), value = count (Int64). */
  readonly output: string;
}

/** Records with this key only advance stream time; they are never counted in the output. */
export const TICK_KEY = '__tick__';

/** One-minute tumbling windows that accept records up to 10 s late. */
export const PAGE_VIEW_WINDOWS = TimeWindows.ofSizeAndGrace(60_000, 10_000);

/** The key serde of the output topic: the page (UTF-8) followed by the window start (8 bytes), as Kafka Streams. */
export function pageViewsKeySerde(windows: TimeWindows = PAGE_VIEW_WINDOWS) {
  return WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), windows.sizeMs);
}

/** page views → count per page and window → one final count per window, after it closes → `<output>`. */
export function pageViewsTopology(topics: PageViewsTopics, windows: TimeWindows = PAGE_VIEW_WINDOWS): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(topics.input, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(windows)
    .count(Materialized.as<string, number>('page-view-counts'))
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('page-view-finals'))
    .toStream()
    .filter((key) => key.key !== TICK_KEY)
    .to(topics.output, Produced.with(pageViewsKeySerde(windows), Serdes.Int64()));
  return builder.build();
}

/** A small deterministic pseudo-random generator (mulberry32), so that every run shows the same numbers. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PAGES = ['/home', '/pricing', '/docs', '/blog'];
const USERS = ['ada', 'grace', 'linus', 'margaret', 'barbara', 'ken'];

/** Five minutes of page views in time order, plus one out of order but within the grace period and one too late. */
function sampleViews(start: number): SampleRecord[] {
  const random = seededRandom(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const views: SampleRecord[] = [];
  for (let t = start; t < start + 5 * 60_000; t += 1000 + Math.floor(random() * 4000)) {
    views.push({ key: pick(PAGES), value: pick(USERS), timestamp: t });
  }
  // Just after 2:04, a view from 1:58: [1:00, 2:00) accepts it until 2:10 (grace 10 s).
  const outOfOrder = views.findIndex((v) => v.timestamp! >= start + 124_000);
  views.splice(outOfOrder + 1, 0, { key: '/docs', value: 'ada', timestamp: start + 118_000 });
  // Just after a /docs view at 4:15 or later (on the same partition, so its stream time is there too), a view from
  // 3:30: [3:00, 4:00) closed at 4:10, so the view is dropped and counted as late.
  const late = views.findIndex((v) => v.key === '/docs' && v.timestamp! >= start + 255_000);
  views.splice(late + 1, 0, { key: '/docs', value: 'grace', timestamp: start + 210_000 });
  return views;
}

const clock = (ms: number, start: number) => new Date(ms - start).toISOString().slice(11, 19);

export async function main(): Promise<void> {
  await runExample('page-views', async (ctx) => {
    const topics = { input: `page-views-${ctx.runId}-views`, output: `page-views-${ctx.runId}-per-minute` };
    const applicationId = `kaskade-example-page-views-${ctx.runId}`;
    const partitions = 3;
    await createExampleTopics(ctx, applicationId, [
      { topic: topics.input, partitions },
      { topic: topics.output, partitions },
    ]);
    // Event time two hours ago, on a minute boundary: brokers refuse timestamps too far in the future.
    const start = Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000;
    const views = sampleViews(start);
    const ticks = Array.from({ length: partitions }, (_, partition) => ({
      key: TICK_KEY,
      value: 'tick', // not null: aggregations skip records with a null value, and the tick must reach them
      timestamp: start + 30 * 60_000,
      partition,
    }));
    await produceRecords(ctx.bootstrapServers, topics.input, [...views, ...ticks]);
    console.log(
      `[page-views] produced ${views.length} page views over 5 minutes from ${new Date(start).toISOString()} and ${partitions} ticks`,
    );

    const topology = pageViewsTopology(topics);
    const streams = new KafkaStreams(topology, {
      applicationId,
      bootstrapServers: ctx.bootstrapServers,
      stateDir: ctx.stateDir,
      commitIntervalMs: 200,
    });
    ctx.onClose(() => streams.close());
    streams.onStateChange(({ from, to }) => console.log(`[page-views] state ${from} -> ${to}`));
    await streams.start();
    await waitUntilCaughtUp(streams, topology);
    const metrics = streams.metrics();
    await streams.close();

    const keySerde = pageViewsKeySerde();
    const finals = (await readToEnd(ctx.bootstrapServers, topics.output)).map((m) => ({
      key: keySerde.deserialize(topics.output, Buffer.from(m.key!)),
      count: Serdes.Int64().deserialize(topics.output, m.value!),
    }));
    const windowStarts = [...new Set(finals.map((f) => f.key.window.start))].sort((a, b) => a - b);
    const byCell = new Map(finals.map((f) => [`${f.key.key}@${f.key.window.start}`, f] as const));
    console.log(`[page-views] ${finals.length} final counts (one per page and minute) in ${topics.output}:`);
    console.log(`  ${'window (from start)'.padEnd(19)} ${PAGES.map((p) => p.padStart(9)).join('')}`);
    for (const ws of windowStarts) {
      const row = PAGES.map((p) => String(byCell.get(`${p}@${ws}`)?.count ?? '-').padStart(9)).join('');
      console.log(`  ${clock(ws, start)}-${clock(ws + PAGE_VIEW_WINDOWS.sizeMs, start)}   ${row}`);
    }
    const cells = new Set(finals.map((f) => `${f.key.key}@${f.key.window.start}`));
    const repeated = finals.length - cells.size;
    const late = metrics.droppedByReason['late'] ?? 0;
    console.log(
      `[page-views] ${late} late view(s) dropped, ${repeated} repeated result(s); processed ${metrics.processed} records`,
    );
    if (repeated > 0 || late !== 1) process.exitCode = 1;
  });
}

if (isEntryPoint(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
