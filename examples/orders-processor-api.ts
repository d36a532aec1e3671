// A Processor API topology in the shape Kaskade's users build: validate → enrich → route, with invalid records
// going to a failure topic and a per-customer running total kept in a state store.
//
//   node --conditions=kaskade-source --import tsx examples/orders-processor-api.ts
//   (starts a local broker when KASKADE_BOOTSTRAP_SERVERS is not set)
import type { KeyValueStore, ProcessorContext, Record } from 'kaskade';
import { KafkaStreams, QueryableStoreName, QueryableStoreTypes, Serdes, Stores, Topology } from 'kaskade';
import { z } from 'zod';
import {
  createExampleTopics,
  isEntryPoint,
  produceRecords,
  readToEnd,
  runExample,
  waitUntilCaughtUp,
} from './example-kit.js';

const Order = z.object({ orderId: z.string(), customer: z.string(), amountCents: z.number().int().positive() });
type Order = z.infer<typeof Order>;
type Enriched = Order & { customerTotalCents: number };

export interface OrdersTopics {
  readonly orders: string;
  readonly enriched: string;
  readonly failed: string;
}

/** The running total per customer, in cents. */
export const CUSTOMER_TOTALS = QueryableStoreName.keyValue<string, number>('customer-totals');

export function ordersTopology(
  topics: OrdersTopics = { orders: 'orders', enriched: 'orders-enriched', failed: 'orders-failed' },
): Topology {
  const S = Serdes.String();
  const J = Serdes.Json<unknown>();
  return (
    new Topology()
      .addSource('orders-source', topics.orders, { keySerde: S, valueSerde: J })
      // Validate: well-formed orders go on, the rest to the "failed" child with the reason in a header.
      .addProcessor(
        'validate',
        () => {
          let ctx: ProcessorContext<string, unknown>;
          return {
            init: (c: ProcessorContext<string, unknown>) => (ctx = c),
            process: (r: Record<string, unknown>) => {
              const parsed = Order.safeParse(r.value);
              if (parsed.success) ctx.forward(r.withValue(parsed.data), 'enrich');
              else ctx.forward(r.withHeaders(r.headers.add('error', parsed.error.issues[0]!.message)), 'failed-sink');
            },
          };
        },
        'orders-source',
      )
      // Enrich: add the customer's running total, kept in an LMDB store backed by a changelog topic.
      .addProcessor(
        'enrich',
        () => {
          let ctx: ProcessorContext<string, Enriched>;
          let totals: KeyValueStore<string, number>;
          return {
            init: (c: ProcessorContext<string, Enriched>) => {
              ctx = c;
              totals = c.getStateStore(CUSTOMER_TOTALS);
            },
            process: (r: Record<string, Order>) => {
              const total = (totals.get(r.value.customer) ?? 0) + r.value.amountCents;
              totals.put(r.value.customer, total);
              ctx.forward(r.withKey(r.value.customer).withValue({ ...r.value, customerTotalCents: total }));
            },
          };
        },
        'validate',
      )
      .addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CUSTOMER_TOTALS), S, Serdes.Int64()),
        'enrich',
      )
      .addSink('enriched-sink', topics.enriched, { keySerde: S, valueSerde: J }, 'enrich')
      .addSink('failed-sink', topics.failed, { keySerde: S, valueSerde: J }, 'validate')
  );
}

export async function main(): Promise<void> {
  await runExample('orders-processor-api', async (ctx) => {
    const topics = {
      orders: `orders-${ctx.runId}`,
      enriched: `orders-${ctx.runId}-enriched`,
      failed: `orders-${ctx.runId}-failed`,
    };
    const applicationId = `kaskade-example-orders-${ctx.runId}`;
    await createExampleTopics(
      ctx,
      applicationId,
      Object.values(topics).map((topic) => ({ topic, partitions: 3 })),
    );

    // Sample orders, one in ten invalid (no amount); the expected total per customer follows from the valid ones.
    // Keyed by customer: a task's store holds the totals of its partition's keys, so a customer's orders must all
    // land on one partition (the Processor API does not repartition; the DSL's groupBy would).
    const customers = ['ada', 'grace', 'linus', 'margaret'];
    const expected = new Map<string, number>();
    const n = 1000;
    const orders = Array.from({ length: n }, (_, i) => {
      const customer = customers[i % customers.length]!;
      if (i % 10 === 9) return { key: customer, value: JSON.stringify({ orderId: `o${i}`, customer }) };
      expected.set(customer, (expected.get(customer) ?? 0) + 100 + i);
      return { key: customer, value: JSON.stringify({ orderId: `o${i}`, customer, amountCents: 100 + i }) };
    });
    await produceRecords(ctx.bootstrapServers, topics.orders, orders);
    console.log(`[orders] produced ${n} orders to ${topics.orders}`);

    const topology = ordersTopology(topics);
    const streams = new KafkaStreams(topology, {
      applicationId,
      bootstrapServers: ctx.bootstrapServers,
      stateDir: ctx.stateDir,
      commitIntervalMs: 200,
    });
    ctx.onClose(() => streams.close());
    streams.onStateChange(({ from, to }) => console.log(`[orders] state ${from} -> ${to}`));
    await streams.start();
    await waitUntilCaughtUp(streams, topology);

    const totals = streams.store(CUSTOMER_TOTALS, QueryableStoreTypes.keyValueStore());
    let agree = true;
    for (const c of customers) {
      const total = totals.get(c) ?? 0;
      agree &&= total === expected.get(c);
      console.log(`[orders] running total of ${c}: ${total} cents (expected ${expected.get(c)})`);
    }
    await streams.close();
    const enriched = await readToEnd(ctx.bootstrapServers, topics.enriched);
    const failed = await readToEnd(ctx.bootstrapServers, topics.failed);
    console.log(`[orders] ${enriched.length} enriched, ${failed.length} failed (expected ${n - n / 10} and ${n / 10})`);
    if (!agree || enriched.length !== n - n / 10 || failed.length !== n / 10) process.exitCode = 1;
  });
}

if (isEntryPoint(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
