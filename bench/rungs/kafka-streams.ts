// The rungs Kafka Streams itself runs (bench/kafka-streams/, a JVM per run): the same scenarios as Kaskade's rungs, on
// the same topics, with its record cache off and, where a scenario has a cached store, on.
import { KEY_SPACE, distinctKeys, distinctWindows, splitSizes, streamJoinPairs } from '../lib/data.js';
import type { Guarantee, KafkaStreamsRung, RungDescription } from '../lib/rung.js';
import { JOIN_WINDOW_MS, WINDOWS_PER_RECORD, WINDOW_ADVANCE_MS, WINDOW_SIZE_MS } from '../lib/windows.js';

/** Kafka Streams' default `statestore.cache.max.bytes` (10 MiB); the rungs without `-cache` set it to 0. */
export const KAFKA_STREAMS_CACHE_BYTES = 10 * 1024 * 1024;

const all = (records: number): number => records;

/** A rung `ks-<scenario>` (cache off) or `ks-<scenario>-cache` (Kafka Streams' default 10 MiB cache). */
function ks(
  scenario: string,
  cache: boolean,
  guarantee: Guarantee,
  description: string,
  more: Omit<RungDescription, 'name' | 'description' | 'guarantee' | 'writesOutput'> & {
    processTarget?: (records: number) => number;
  } = {},
): KafkaStreamsRung {
  const { processTarget = all, ...rest } = more;
  const suffix = guarantee === 'exactly_once_v2' ? '-eos' : '';
  return {
    name: `ks-${scenario}${suffix}${cache ? '-cache' : ''}`,
    description: `Kafka Streams: ${description}${cache ? ', record cache on (10 MiB, its default)' : ', record cache off (statestore.cache.max.bytes=0)'}`,
    guarantee,
    writesOutput: true,
    ...rest,
    kafkaStreams: { scenario, cacheMaxBytes: cache ? KAFKA_STREAMS_CACHE_BYTES : 0, processTarget },
  };
}

const COUNT = 'stream -> groupByKey -> count (RocksDB, logged) -> toStream -> to';
const WINDOWED = 'stream -> groupByKey -> windowedBy(10 s hopping by 5 s, no grace) -> count (RocksDB, logged) -> to';
const STREAM_TABLE = `stream leftJoin table (${KEY_SPACE.toLocaleString('en-US')} keys, RocksDB, logged) -> to`;
const TABLE_TABLE = 'table leftJoin table (input split in two topics, RocksDB, logged) -> toStream -> to';

/**
 * In registry order. Pass-through, the key-value rung (whose store builder has no cache by default, as Kaskade's) and
 * the stream-stream join (whose window stores Kafka Streams never caches) exist once, with the cache off.
 */
export const KAFKA_STREAMS_RUNGS: readonly KafkaStreamsRung[] = [
  ks('source-sink', false, 'at_least_once', 'source -> peek -> sink, Bytes serdes (Processor API)'),
  ks('kv-store', false, 'at_least_once', 'source -> get+put on a persistent KV store (RocksDB, logged) -> sink'),
  ks('count', false, 'at_least_once', COUNT),
  ks('count', true, 'at_least_once', COUNT, { minOutput: (records) => distinctKeys(records) }),
  ks('count', false, 'exactly_once_v2', `${COUNT}, exactly_once_v2, commit every 100 ms`),
  ks('count', true, 'exactly_once_v2', `${COUNT}, exactly_once_v2, commit every 100 ms`, {
    minOutput: (records) => distinctKeys(records),
  }),
  ks('windowed-count', false, 'at_least_once', WINDOWED, { minOutput: (records) => records * WINDOWS_PER_RECORD }),
  ks('windowed-count', true, 'at_least_once', WINDOWED, {
    minOutput: (records) => distinctWindows(records, WINDOW_SIZE_MS, WINDOW_ADVANCE_MS),
  }),
  ks('stream-table-join', false, 'at_least_once', STREAM_TABLE, {
    inputs: ['table'],
    processTarget: (records) => records + KEY_SPACE,
  }),
  ks('stream-table-join', true, 'at_least_once', STREAM_TABLE, {
    inputs: ['table'],
    processTarget: (records) => records + KEY_SPACE,
  }),
  ks('table-table-join', false, 'at_least_once', TABLE_TABLE, {
    inputs: ['split'],
    minOutput: (records) => splitSizes(records).left,
  }),
  ks('table-table-join', true, 'at_least_once', TABLE_TABLE, {
    inputs: ['split'],
    minOutput: (records) => distinctKeys(records, 'left'),
  }),
  ks(
    'stream-stream-join',
    false,
    'at_least_once',
    'stream leftJoin stream (input split in two topics, JoinWindows 1 s, grace 24 h, RocksDB, logged) -> to',
    { inputs: ['split'], minOutput: (records) => streamJoinPairs(records, JOIN_WINDOW_MS) },
  ),
];
