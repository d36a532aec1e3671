// Task idling on the real broker (KIP-695): a co-partitioned stream-table join over a backlog produced in full before
// the application starts. Every customer (the table) is older than every order (the stream), so Kafka Streams, which
// processes a task's partitions in timestamp order and waits for a partition known to have unfetched records, joins
// every order. With maxTaskIdleMs -1 (never wait) the task runs ahead with the orders it has whenever the customer
// partition's buffer runs dry, and orders whose customer is not loaded yet find nothing — how many depends on the
// order the consumer fetches in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from 'kaskade';
import type { Topology } from 'kaskade';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, eventually, produce, readToEnd } from './kafka-helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const S = Serdes.String();
const N = 600;

function joinTopology(orders: string, customers: string, out: string, repartition: boolean): Topology {
  const builder = new StreamsBuilder();
  const table = builder.table(customers, Consumed.with(S, S));
  const stream = builder.stream(orders, Consumed.with(S, S));
  // Re-keyed (to the same key): the join then reads the orders from a repartition topic the application writes.
  (repartition ? stream.selectKey((k: string) => k) : stream)
    .join(table, (order: string, customer: string) => `${order}@${customer.slice(0, 8)}`)
    .to(out, Produced.with(S, S));
  return builder.build();
}

/** Runs the join over the backlog to its end; returns how many orders it joined. */
async function joinedOrders(
  maxTaskIdleMs: number | undefined,
  options: { exactlyOnce?: boolean; repartition?: boolean } = {},
): Promise<number> {
  const orders = uniqueName('idle-orders');
  const customers = uniqueName('idle-customers');
  const out = uniqueName('idle-out');
  await createTopics(
    { topic: orders, partitions: 2 },
    { topic: customers, partitions: 2 },
    { topic: out, partitions: 2 },
  );
  // Customers at t = 1000.., orders at t = 1 000 000..: in event time every customer comes first. Customer values
  // are large and orders small, so each fetch brings few customers and many orders.
  await produce(
    orders,
    Array.from({ length: N }, (_, i) => ({ key: `c${i}`, value: `o${i}`, timestamp: 1_000_000 + i })),
  );
  await produce(
    customers,
    Array.from({ length: N }, (_, i) => ({
      key: `c${i}`,
      value: `customer${i}`.padEnd(1000, '.'),
      timestamp: 1000 + i,
    })),
  );
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-idle-'));
  dirs.push(stateDir);
  const topology = joinTopology(orders, customers, out, options.repartition === true);
  const streams = new KafkaStreams(topology, {
    applicationId: uniqueName('idle-app'),
    bootstrapServers: bootstrapServers(),
    stateDir,
    commitIntervalMs: 100,
    ...(options.exactlyOnce ? { processingGuarantee: 'exactly_once_v2' as const } : {}),
    defaultKeySerde: S,
    defaultValueSerde: S,
    maxPollRecords: 50,
    consumerConfig: { 'max.partition.fetch.bytes': 4096 },
    logger: quiet,
    ...(maxTaskIdleMs === undefined ? {} : { maxTaskIdleMs }),
  });
  await streams.start();
  try {
    // Every input record processed (the orders twice when re-keyed); close() then commits what is left. (Not
    // waitUntilCaughtUp: under exactly-once a repartition topic's end offset lies past its last commit marker.)
    const expected = (options.repartition ? 3 : 2) * N;
    await eventually(() => streams.metrics().processed >= expected, 120_000, 'the input processed');
    expect(streams.metrics().processed).toBe(expected);
  } finally {
    expect(await streams.close()).toBe(true);
  }
  // Everything the application wrote is committed (closed): read it to its end.
  const joined = await readToEnd(out, { isolation: options.exactlyOnce ? 'read_committed' : 'read_uncommitted' });
  return joined.length;
}

describe('task idling (maxTaskIdleMs) on the real broker', () => {
  it('should join every order over a backlog with the default, as Kafka Streams does', async () => {
    const withIdling = await joinedOrders(undefined);
    // For comparison only: with -1 the result depends on which partition the consumer happens to fetch first (most
    // runs join none, some every order), so it is printed, not asserted. That -1 never waits is a unit test of
    // PartitionGroup.
    const withoutIdling = await joinedOrders(-1);
    console.log(`task idling: ${withIdling} of ${N} orders joined with the default (0), ${withoutIdling} with -1`);
    expect(withIdling).toBe(N);
  });

  it('should join every order under exactly-once too (read_committed: lags measured to the last stable offset)', async () => {
    expect(await joinedOrders(undefined, { exactlyOnce: true })).toBe(N);
  });

  it('should join every order when the join reads a repartition topic the application writes', async () => {
    expect(await joinedOrders(undefined, { repartition: true })).toBe(N);
  });

  it('should join every order under exactly-once over a repartition topic written in transactions', async () => {
    // Commit markers sit between the last record and the end offset: idling must still see the partition caught up.
    expect(await joinedOrders(undefined, { exactlyOnce: true, repartition: true })).toBe(N);
  });
});
