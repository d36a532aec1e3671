// The classic word count with the DSL: lines in, a running count per word out. Splitting lines into words changes
// the key, so the counts are computed after a repartition topic (a second sub-topology, one task per partition).
//
//   node --conditions=kaskade-source --import tsx examples/word-count.ts   (starts a local broker when KASKADE_BOOTSTRAP_SERVERS is not set)
import type { Topology } from 'kaskade';
import {
  Consumed,
  Grouped,
  KafkaStreams,
  Materialized,
  Produced,
  QueryableStoreName,
  QueryableStoreTypes,
  Serdes,
  StreamsBuilder,
} from 'kaskade';
import {
  createExampleTopics,
  isEntryPoint,
  latestByKey,
  produceRecords,
  readToEnd,
  runExample,
  waitUntilCaughtUp,
} from './example-kit.js';

export interface WordCountTopics {
  readonly input: string;
  readonly output: string;
}

/**
 * The store of the counts, typed: `Materialized.as` checks that `count()` stores numbers per word, and
 * `streams.store` infers its view from it. It also names the repartition topic (`<applicationId>-word-counts-repartition`).
 */
export const WORD_COUNT_STORE = QueryableStoreName.keyValue<string, number>('word-counts');

/** Lower-cased words of a line: letters, digits and apostrophes. */
export function wordsOf(line: string): string[] {
  return line.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

/**
 * lines (any key) → words → grouped by word (repartition) → count → `<output>` (word → count as Int64). The count's
 * record cache is on unless `caching: false` (then every word occurrence gives one output record, not every commit).
 */
export function wordCountTopology(topics: WordCountTopics, options: { readonly caching?: boolean } = {}): Topology {
  const counts = Materialized.as(WORD_COUNT_STORE);
  const builder = new StreamsBuilder();
  builder
    .stream(topics.input, Consumed.with(Serdes.String(), Serdes.String()))
    .flatMapValues((line) => wordsOf(line))
    .groupBy((_key, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
    .count(options.caching === false ? counts.withCachingDisabled() : counts)
    .toStream()
    .to(topics.output, Produced.with(Serdes.String(), Serdes.Int64()));
  return builder.build();
}

const TEXT = [
  'The stream is the table and the table is the stream',
  'A table is a view of a stream, a stream is a log of changes to a table',
  'Kafka keeps the log; Kaskade keeps the state',
  'State lives in stores, stores are backed up to changelog topics',
  'A changelog topic is a stream of the changes to a store',
  "Records with the same key go to the same partition, and a task owns a partition's records",
  'Change the key and the records must be repartitioned before they are counted',
  'Count the words, then count them again: the stream never ends',
];

export async function main(): Promise<void> {
  await runExample('word-count', async (ctx) => {
    const topics = { input: `word-count-${ctx.runId}-lines`, output: `word-count-${ctx.runId}-counts` };
    const applicationId = `kaskade-example-word-count-${ctx.runId}`;
    await createExampleTopics(ctx, applicationId, [
      { topic: topics.input, partitions: 3 },
      { topic: topics.output, partitions: 3 },
    ]);
    // Each line three times, keyed by line number, so that the lines land on all three partitions.
    const lines = [...TEXT, ...TEXT, ...TEXT];
    await produceRecords(
      ctx.bootstrapServers,
      topics.input,
      lines.map((line, i) => ({ key: `line-${i + 1}`, value: line })),
    );
    console.log(`[word-count] produced ${lines.length} lines to ${topics.input}`);

    const topology = wordCountTopology(topics);
    console.log(topology.describe().toString());
    const streams = new KafkaStreams(topology, {
      applicationId,
      bootstrapServers: ctx.bootstrapServers,
      stateDir: ctx.stateDir,
      commitIntervalMs: 200,
    });
    ctx.onClose(() => streams.close());
    streams.onStateChange(({ from, to }) => console.log(`[word-count] state ${from} -> ${to}`));
    await streams.start();
    await waitUntilCaughtUp(streams, topology);

    // Interactive query: the counts straight from the application's state stores.
    const store = streams.store(WORD_COUNT_STORE, QueryableStoreTypes.keyValueStore());
    const fromStore = new Map<string, number>();
    const all = store.all();
    try {
      for (const { key, value } of all) fromStore.set(key, value);
    } finally {
      all.close();
    }
    const metrics = streams.metrics();
    await streams.close();

    // The output topic is the counts' update stream: the last record per word is its count.
    const updates = await readToEnd(ctx.bootstrapServers, topics.output);
    const counts = latestByKey(updates, (m) => ({
      key: Serdes.String().deserialize(topics.output, Buffer.from(m.key!)),
      value: Serdes.Int64().deserialize(topics.output, m.value!),
    }));
    const top = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 12);
    console.log(`[word-count] ${updates.length} updates for ${counts.size} words in ${topics.output}; the top words:`);
    for (const [word, count] of top) console.log(`  ${word.padEnd(12)} ${String(count).padStart(4)}`);
    const agree = [...counts].every(([word, count]) => fromStore.get(word) === count) && fromStore.size === counts.size;
    console.log(
      `[word-count] processed ${metrics.processed} records in tasks ${metrics.activeTasks.join(', ')}; store and topic ${agree ? 'agree' : 'DISAGREE'}`,
    );
    if (!agree) process.exitCode = 1;
  });
}

if (isEntryPoint(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
