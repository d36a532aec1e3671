import type { ConsumerClientOptions } from './kafka-consumer-client.js';
import type { ProducerClientOptions } from './kafka-producer-client.js';

/**
 * librdkafka settings every Kaskade group consumer runs with, whichever client carries them (the Kafka client's or the
 * native one); the caller adds its own keys and then `options.config`.
 */
export function consumerSettings(options: ConsumerClientOptions): { [key: string]: unknown } {
  // The consumer group protocol (KIP-848) assigns on the broker and refuses the classic protocol's settings.
  const kip848 = options.config?.['group.protocol'] === 'consumer';
  return {
    'bootstrap.servers': options.bootstrapServers,
    'group.id': options.groupId,
    'client.id': options.clientId ?? `kaskade-${options.groupId}`,
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'isolation.level': options.isolationLevel ?? 'read_uncommitted',
    // Range assignment gives partition p of co-partitioned topics (equal partition counts) to the same member,
    // with either protocol (the broker's range assignor keeps that property; see README, incremental rebalancing).
    ...(kip848 ? { 'group.remote.assignor': 'range' } : { 'partition.assignment.strategy': 'range' }),
    'enable.partition.eof': false,
    'socket.keepalive.enable': true,
    // librdkafka stops fetching a partition once `queued.min.messages` (below) of it are queued, and looks again only
    // `fetch.queue.backoff.ms` (default 1 000) later. A runtime that processes 100 000 records in a fraction of a second
    // then waits for the rest of that second: on a backlog of 1 000 000 records the pass-through ran at 130 000
    // records/s on 0.3 cores of CPU. Looking again after 10 ms keeps the queue filled (still bounded by
    // `queued.min.messages` and `queued.max.messages.kbytes`); a user's own setting wins.
    'fetch.queue.backoff.ms': 10,
    // librdkafka's default keeps up to 100 000 records per partition fetched ahead (bounded only by 64 MiB of
    // payload for the whole consumer), each record with ~200 bytes of librdkafka's own bookkeeping: with 100-byte
    // records and a few partitions that was ~100 MB of an instance's RSS (a pass-through over 1 000 000 records
    // peaked at ~300 MB, 200 MB with this). 20 000 a partition is still 20 times what Kafka Streams buffers
    // (`buffered.records.per.partition`, 1 000); with the 10-ms backoff above the rates stayed within the bench's noise.
    'queued.min.messages': 20_000,
  };
}

/** librdkafka settings every Kaskade producer runs with, whichever client carries them; `options.config` goes on top. */
export function producerSettings(options: ProducerClientOptions): { [key: string]: unknown } {
  return {
    'bootstrap.servers': options.bootstrapServers,
    'client.id': options.clientId ?? 'kaskade-producer',
    // Streams output must not be reordered or duplicated by retries.
    'enable.idempotence': true,
    'linger.ms': 5,
    'queue.buffering.max.messages': 500_000,
    // What waits in librdkafka for delivery is bounded at 64 MiB (the Java producer's `buffer.memory` is 32 MiB;
    // librdkafka's default 1 GiB): when the broker falls behind, a full queue holds the records back in the runtime,
    // which waits for room, instead of RSS growing — a 1 KiB pass-through peaked at 481–623 MB with 1 GiB (and
    // the consumer's bound), 258–261 MB with 32 MiB.
    'queue.buffering.max.kbytes': 65_536,
  };
}
