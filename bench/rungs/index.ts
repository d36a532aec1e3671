// The registry of rungs, in the order the table shows them. A new rung is a module in this folder plus one line here.
import type { AnyRung } from '../lib/rung.js';
import { KAFKA_STREAMS_RUNGS } from './kafka-streams.js';

/** Rung name -> module loader. Lazy, so that a rung whose module fails to load fails alone, as a failed rung. */
export const RUNGS: ReadonlyMap<string, () => Promise<AnyRung>> = new Map<string, () => Promise<AnyRung>>([
  ['raw-consume', async () => (await import('./raw-consume.js')).rawConsume],
  ['raw-passthrough', async () => (await import('./raw-passthrough.js')).rawPassthrough],
  ['raw-native-consume', async () => (await import('./raw-native.js')).rawNativeConsume],
  ['raw-native-passthrough', async () => (await import('./raw-native.js')).rawNativePassthrough],
  ['kaskade-source-sink', async () => (await import('./kaskade-source-sink.js')).kaskadeSourceSink],
  ['kaskade-kv-store', async () => (await import('./kaskade-kv-store.js')).kaskadeKvStore],
  ['kaskade-kv-store-eos', async () => (await import('./kaskade-kv-store-eos.js')).kaskadeKvStoreEos],
  ['kaskade-count', async () => (await import('./kaskade-count.js')).kaskadeCount],
  ['kaskade-count-eos', async () => (await import('./kaskade-count-eos.js')).kaskadeCountEos],
  ['dsl-count', async () => (await import('./dsl-count.js')).dslCount],
  ['dsl-count-client', async () => (await import('./dsl-count.js')).dslCountClient],
  ['dsl-count-client-consumer', async () => (await import('./dsl-count.js')).dslCountClientConsumer],
  ['dsl-count-observed', async () => (await import('./dsl-count-observed.js')).dslCountObserved],
  ['dsl-count-cache', async () => (await import('./dsl-count.js')).dslCountCache],
  ['dsl-count-eos', async () => (await import('./dsl-count-eos.js')).dslCountEos],
  ['dsl-count-eos-cache', async () => (await import('./dsl-count-eos.js')).dslCountEosCache],
  ['dsl-count-eos-client', async () => (await import('./dsl-count-eos.js')).dslCountEosClient],
  ['dsl-windowed-count', async () => (await import('./dsl-windowed-count.js')).dslWindowedCount],
  ['dsl-windowed-count-cache', async () => (await import('./dsl-windowed-count.js')).dslWindowedCountCache],
  ['dsl-stream-table-join', async () => (await import('./dsl-stream-table-join.js')).dslStreamTableJoin],
  ['dsl-stream-table-join-cache', async () => (await import('./dsl-stream-table-join.js')).dslStreamTableJoinCache],
  ['dsl-table-table-join', async () => (await import('./dsl-table-table-join.js')).dslTableTableJoin],
  ['dsl-table-table-join-cache', async () => (await import('./dsl-table-table-join.js')).dslTableTableJoinCache],
  ['dsl-stream-stream-join', async () => (await import('./dsl-stream-stream-join.js')).dslStreamStreamJoin],
  [
    'dsl-stream-stream-join-noidle',
    async () => (await import('./dsl-stream-stream-join.js')).dslStreamStreamJoinNoIdle,
  ],
  ['dsl-restore', async () => (await import('./dsl-restore.js')).dslRestore],
  ...KAFKA_STREAMS_RUNGS.map((r): [string, () => Promise<AnyRung>] => [r.name, () => Promise.resolve(r)]),
]);

/** The rungs Kafka Streams itself runs (`--no-kafka-streams` leaves them out). */
export const KAFKA_STREAMS_RUNG_NAMES: ReadonlySet<string> = new Set(KAFKA_STREAMS_RUNGS.map((r) => r.name));

/** The rung every ratio is measured against, run in every round. */
export const BASELINE_RUNG = 'raw-passthrough';

/** A Kaskade rung and the Kafka Streams rung that runs the same scenario with the same record cache setting. */
export interface Comparison {
  readonly kaskade: string;
  readonly kafkaStreams: string;
  /** `'none'`: the topology has no store a cache could sit in front of (or Kafka Streams never caches it). */
  readonly cache: 'off' | 'on' | 'none';
}

/**
 * The pairs of the Kaskade ÷ Kafka Streams section. Cache off against cache off, cache on against cache on: Kaskade's
 * DSL rungs set their cache explicitly (both DSLs cache by default), and `kaskade-count`
 * (Processor API, store built `withCachingEnabled()`) stands against Kafka Streams' cached DSL count.
 */
export const COMPARISONS: readonly Comparison[] = [
  { kaskade: 'kaskade-source-sink', kafkaStreams: 'ks-source-sink', cache: 'none' },
  { kaskade: 'kaskade-kv-store', kafkaStreams: 'ks-kv-store', cache: 'off' },
  { kaskade: 'dsl-count', kafkaStreams: 'ks-count', cache: 'off' },
  { kaskade: 'dsl-count-cache', kafkaStreams: 'ks-count-cache', cache: 'on' },
  { kaskade: 'kaskade-count', kafkaStreams: 'ks-count-cache', cache: 'on' },
  { kaskade: 'dsl-windowed-count', kafkaStreams: 'ks-windowed-count', cache: 'off' },
  { kaskade: 'dsl-windowed-count-cache', kafkaStreams: 'ks-windowed-count-cache', cache: 'on' },
  { kaskade: 'dsl-stream-table-join', kafkaStreams: 'ks-stream-table-join', cache: 'off' },
  { kaskade: 'dsl-stream-table-join-cache', kafkaStreams: 'ks-stream-table-join-cache', cache: 'on' },
  { kaskade: 'dsl-table-table-join', kafkaStreams: 'ks-table-table-join', cache: 'off' },
  { kaskade: 'dsl-table-table-join-cache', kafkaStreams: 'ks-table-table-join-cache', cache: 'on' },
  { kaskade: 'dsl-stream-stream-join', kafkaStreams: 'ks-stream-stream-join', cache: 'none' },
  { kaskade: 'dsl-count-eos', kafkaStreams: 'ks-count-eos', cache: 'off' },
  { kaskade: 'dsl-count-eos-cache', kafkaStreams: 'ks-count-eos-cache', cache: 'on' },
];

/**
 * Rungs measured against another Kaskade rung in the same round (first ÷ second, printed below the tables; the
 * `kafkaStreams` field names the reference rung): issue #15's bar is `dsl-count-observed` ≥ 0.97× `dsl-count`;
 * `dsl-count-client-consumer` ÷ `dsl-count-client` is what the native producer gains over the Kafka client's,
 * `dsl-count` ÷ `dsl-count-client-consumer` what the native consumer adds, `dsl-count-eos` ÷ `dsl-count-eos-client`
 * what the native path gains under exactly-once.
 */
export const OVERHEADS: readonly Comparison[] = [
  { kaskade: 'dsl-count-observed', kafkaStreams: 'dsl-count', cache: 'off' },
  { kaskade: 'dsl-count-client-consumer', kafkaStreams: 'dsl-count-client', cache: 'off' },
  { kaskade: 'dsl-count', kafkaStreams: 'dsl-count-client-consumer', cache: 'off' },
  { kaskade: 'dsl-count-eos', kafkaStreams: 'dsl-count-eos-client', cache: 'off' },
];
