// A Processor API topology in the shape Kaskade's users build: validate → enrich → route, with invalid records
// going to a failure topic and a per-customer running total kept in a state store.
//
//   npm start                (starts a local broker when KASKADE_BOOTSTRAP_SERVERS is not set)
import type { Record } from '@kaskade/processor-api';
import type { KeyValueStore, ProcessorContext } from '@kaskade/processor-api';
import { KafkaAdmin, KafkaProducerClient, KafkaStreams, QueryableStoreTypes, Serdes, Topology } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import { z } from 'zod';
import { localBroker } from './local-broker.js';

const Order = z.object({ orderId: z.string(), customer: z.string(), amountCents: z.number().int().positive() });
type Order = z.infer<typeof Order>;
type Enriched = Order & { customerTotalCents: number };

export function ordersTopology(): Topology {
  const S = Serdes.String();
  const J = Serdes.Json<unknown>();
  return (
    new Topology()
      .addSource('orders-source', 'orders', { keySerde: S, valueSerde: J })
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
              totals = c.getStateStore('customer-totals');
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
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('customer-totals'), S, Serdes.Int64()),
        'enrich',
      )
      .addSink('enriched-sink', 'orders-enriched', { keySerde: S, valueSerde: J }, 'enrich')
      .addSink('failed-sink', 'orders-failed', { keySerde: S, valueSerde: J }, 'validate')
  );
}

export async function main(): Promise<void> {
  const broker = await localBroker();
  const admin = KafkaAdmin.create(broker.bootstrapServers);
  await admin.createTopics(
    ['orders', 'orders-enriched', 'orders-failed'].map((topic) => ({ topic, partitions: 3, replicationFactor: -1 })),
  );
  admin.close();

  const streams = new KafkaStreams(ordersTopology(), {
    applicationId: 'kaskade-example-orders',
    bootstrapServers: broker.bootstrapServers,
    commitIntervalMs: 1000,
  });
  streams.onStateChange(({ from, to }) => console.log(`[example] state ${from} -> ${to}`));
  const shutdown = async () => {
    await streams.close();
    await broker.stop();
  };
  process.once('SIGINT', () => void shutdown().then(() => process.exit(130)));
  process.once('SIGTERM', () => void shutdown().then(() => process.exit(143)));
  await streams.start();

  // Produce sample orders, one in ten invalid.
  const producer = new KafkaProducerClient({ bootstrapServers: broker.bootstrapServers });
  await producer.connect();
  const customers = ['ada', 'grace', 'linus', 'margaret'];
  const n = 1000;
  for (let i = 0; i < n; i++) {
    const customer = customers[i % customers.length]!;
    const order = i % 10 === 9 ? { orderId: `o${i}`, customer } : { orderId: `o${i}`, customer, amountCents: 100 + i };
    producer.produce('orders', -1, Buffer.from(JSON.stringify(order)), Buffer.from(`o${i}`), Date.now());
  }
  await producer.flush();
  await producer.disconnect();
  console.log(`[example] produced ${n} orders`);

  const deadline = Date.now() + 60_000;
  while (streams.metrics().processed < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const m = streams.metrics();
  console.log(`[example] processed ${m.processed} records in tasks ${m.activeTasks.join(', ')}`);
  const totals = streams.store('customer-totals', QueryableStoreTypes.keyValueStore<string, number>());
  for (const c of customers) console.log(`[example] running total of ${c}: ${totals.get(c) ?? 0} cents`);
  await shutdown();
  console.log('[example] done');
}
