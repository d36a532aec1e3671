// An order pipeline with the DSL, in the shape Kaskade's users build:
//
//   orders ─ validate (zod) ─┬─ invalid ─────────────────────────────────────────────────────────────▶ orders-failed
//                            └─ valid ─ deduplicate by order id ─ re-key by customer ─ left join customers ─┐
//                                       (10 min, window store)    (repartition)        (KTable)             │
//        orders-enriched ◀─ re-key by order id ─ transform (total in cents, upper-case codes) ◀─────────────┘
//
//   node --conditions=kaskade-source --import tsx examples/pipeline.ts   (or `npm start`)
//   Starts a local broker when KASKADE_BOOTSTRAP_SERVERS is not set.
import type { FixedKeyProcessor, FixedKeyProcessorContext, Record, Topology, WindowStore } from 'kaskade';
import { Consumed, Joined, KafkaStreams, Materialized, Named, Produced, Serdes, Stores, StreamsBuilder } from 'kaskade';
import * as z from 'zod';
import type { SampleRecord } from './example-kit.js';
import {
  createExampleTopics,
  isEntryPoint,
  produceRecords,
  readToEnd,
  runExample,
  waitUntilCaughtUp,
} from './example-kit.js';

export interface PipelineTopics {
  /** Orders as JSON text, key = order id. */
  readonly orders: string;
  /** The customer table: key = customer id, value = {@link Customer} as JSON. */
  readonly customers: string;
  /** Enriched orders ({@link EnrichedOrder} as JSON), key = order id. */
  readonly enriched: string;
  /** Orders that failed validation ({@link FailedOrder} as JSON), key as received. */
  readonly failed: string;
}

export const OrderSchema = z.object({
  orderId: z.string().min(1),
  customerId: z.string().min(1),
  product: z.string().min(1),
  quantity: z.number().int().positive(),
  /** Price of one item in currency units, at most two decimals: 19.99. */
  unitPrice: z.number().positive().multipleOf(0.01),
  /** ISO 4217 code, any case: `eur`, `EUR`. */
  currency: z.string().regex(/^[a-zA-Z]{3}$/, 'must be a three-letter currency code'),
});
export type Order = z.infer<typeof OrderSchema>;

export const CustomerSchema = z.object({
  name: z.string().min(1),
  tier: z.enum(['gold', 'silver', 'bronze']),
  country: z.string().length(2),
});
export type Customer = z.infer<typeof CustomerSchema>;

export interface FailedOrder {
  readonly reason: string;
  /** The record's value as received. */
  readonly raw: string;
}

export interface EnrichedOrder {
  readonly orderId: string;
  readonly customerId: string;
  /** Null when the customer is not (yet) in the customer table. */
  readonly customerName: string | null;
  readonly tier: Customer['tier'] | null;
  readonly country: string | null;
  readonly product: string;
  readonly quantity: number;
  readonly totalCents: number;
  readonly currency: string;
}

/** Repeats of an order id within this much event time of its first accepted occurrence are dropped. */
export const DEDUP_WINDOW_MS = 10 * 60_000;
/** The window store of the order ids seen, with their timestamps (changelog `<applicationId>-order-ids-changelog`). */
export const DEDUP_STORE = 'order-ids';
/** The customer table's store, queryable while the application runs. */
export const CUSTOMERS_STORE = 'customers';
/** The reason under which dropped duplicates are counted in `streams.metrics().droppedByReason`. */
export const DUPLICATE = 'duplicate';

type Validated = { readonly ok: true; readonly order: Order } | { readonly ok: false; readonly failure: FailedOrder };

/** Parses and checks one order record: JSON, the schema, and that the key is the order id. */
export function validateOrder(key: string | null, raw: string): Validated {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    return { ok: false, failure: { reason: `not JSON: ${(e as Error).message}`, raw } };
  }
  const parsed = OrderSchema.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');
    return { ok: false, failure: { reason, raw } };
  }
  if (key !== parsed.data.orderId) {
    return { ok: false, failure: { reason: `key ${JSON.stringify(key)} is not the orderId`, raw } };
  }
  return { ok: true, order: parsed.data };
}

/** The total in cents, exact: the unit price is converted to cents before multiplying. */
export function totalCents(order: Order): number {
  return Math.round(order.unitPrice * 100) * order.quantity;
}

/**
 * Drops an order whose id was accepted before within {@link DEDUP_WINDOW_MS} of event time (either direction), and
 * counts it as dropped (`duplicate`). The ids live in a persistent window store whose retention is that period, so
 * old ids expire by themselves; keys are order ids, so all copies of an order meet in the same task.
 *
 * @see Kafka Streams' "event deduplication" example (a transformer over a window store)
 */
class DeduplicateOrders implements FixedKeyProcessor<string, Order, Order> {
  #context!: FixedKeyProcessorContext<string, Order>;
  #seen!: WindowStore<string, number>;

  init(context: FixedKeyProcessorContext<string, Order>): void {
    this.#context = context;
    this.#seen = context.getStateStore<WindowStore<string, number>>(DEDUP_STORE);
  }

  process(record: Record<string, Order>): void {
    const ts = record.timestamp;
    const earlier = this.#seen.fetch(record.key, ts - DEDUP_WINDOW_MS, ts + DEDUP_WINDOW_MS);
    let duplicate: boolean;
    try {
      duplicate = earlier.peekNextKey() !== undefined;
    } finally {
      earlier.close();
    }
    if (duplicate) {
      this.#context.recordDropped(DUPLICATE);
      return;
    }
    this.#seen.put(record.key, ts, ts);
    this.#context.forward(record);
  }
}

/** The pipeline's topology; processors, stores and internal topics have fixed names, so its state survives rebuilds. */
export function pipelineTopology(topics: PipelineTopics): Topology {
  const S = Serdes.String();
  const builder = new StreamsBuilder();
  builder.addStateStore(
    Stores.windowStoreBuilder(
      Stores.persistentWindowStore(DEDUP_STORE, { retentionMs: DEDUP_WINDOW_MS, windowSizeMs: DEDUP_WINDOW_MS }),
      S,
      Serdes.Int64(),
    ),
  );
  const customers = builder.table(
    topics.customers,
    Consumed.with(S, Serdes.Zod(CustomerSchema)),
    Materialized.as<string, Customer>(CUSTOMERS_STORE),
  );

  const validated = builder
    .stream(topics.orders, Consumed.with(S, S).withName('orders'))
    .mapValues((raw, key) => validateOrder(key, raw), Named.as('validate'));

  validated
    .flatMapValues((v) => (v.ok ? [] : [v.failure]), Named.as('invalid'))
    .to(topics.failed, Produced.with(S, Serdes.Json<FailedOrder>()).withName('failed-sink'));

  validated
    .flatMapValues((v) => (v.ok ? [v.order] : []), Named.as('valid'))
    .processValues(() => new DeduplicateOrders(), Named.as('deduplicate'), DEDUP_STORE)
    // The customer table is keyed by customer id: re-key, and the join reads the orders from a repartition topic
    // (`<applicationId>-enrich-repartition`) co-partitioned with the table's topic.
    .selectKey((_orderId, order) => order.customerId, Named.as('by-customer'))
    .leftJoin(
      customers,
      (order: Order, customer: Customer | null) => ({ order, customer }),
      Joined.with(S, Serdes.Json<Order>(), Serdes.Zod(CustomerSchema)).withName('enrich'),
    )
    .mapValues(
      ({ order, customer }): EnrichedOrder => ({
        orderId: order.orderId,
        customerId: order.customerId,
        customerName: customer?.name ?? null,
        tier: customer?.tier ?? null,
        country: customer?.country.toUpperCase() ?? null,
        product: order.product,
        quantity: order.quantity,
        totalCents: totalCents(order),
        currency: order.currency.toUpperCase(),
      }),
      Named.as('transform'),
    )
    // Keyed by order id again for the readers of the output; no repartition, as nothing stateful follows.
    .selectKey((_customerId, enriched) => enriched.orderId, Named.as('by-order'))
    .to(topics.enriched, Produced.with(S, Serdes.Json<EnrichedOrder>()).withName('enriched-sink'));

  return builder.build();
}

// ---- the runnable example ----

const CUSTOMERS: readonly (readonly [string, Customer])[] = [
  ['c-ada', { name: 'Ada Lovelace', tier: 'gold', country: 'gb' }],
  ['c-grace', { name: 'Grace Hopper', tier: 'gold', country: 'us' }],
  ['c-linus', { name: 'Linus Torvalds', tier: 'silver', country: 'fi' }],
  ['c-margaret', { name: 'Margaret Hamilton', tier: 'silver', country: 'us' }],
  ['c-barbara', { name: 'Barbara Liskov', tier: 'bronze', country: 'us' }],
];
const PRODUCTS: readonly (readonly [string, number])[] = [
  ['keyboard', 49.9],
  ['mouse', 19.99],
  ['monitor', 189],
  ['cable', 4.5],
];

/**
 * Sample orders, one every 10 s of event time from `start`: valid ones, invalid ones of each kind, repeats within
 * ten minutes (dropped), one repeat after fifteen minutes (accepted again) and orders of an unknown customer.
 */
function sampleOrders(start: number): SampleRecord[] {
  const records: SampleRecord[] = [];
  const valid = (i: number): Order => {
    const [product, unitPrice] = PRODUCTS[i % PRODUCTS.length]!;
    const customerId = i % 13 === 12 ? 'c-unknown' : CUSTOMERS[i % CUSTOMERS.length]![0];
    return { orderId: `o-${1000 + i}`, customerId, product, quantity: 1 + (i % 3), unitPrice, currency: 'eur' };
  };
  let t = start;
  const push = (key: string | null, value: unknown) =>
    records.push({ key, value: typeof value === 'string' ? value : JSON.stringify(value), timestamp: (t += 10_000) });
  for (let i = 0; i < 40; i++) {
    const order = valid(i);
    if (i % 10 === 3)
      push(order.orderId, `{"orderId": "${order.orderId}", "customerId": `); // truncated JSON
    else if (i % 10 === 6) push(order.orderId, { ...order, quantity: 0 });
    else if (i % 10 === 8) push(order.orderId, { ...order, currency: 'euro', unitPrice: undefined });
    else if (i === 19) push('o-wrong-key', order);
    else push(order.orderId, order);
    // The same order again 10 s later: a producer's retry (dropped), or the corrected resend of an invalid one.
    if (i % 7 === 2) push(order.orderId, order);
  }
  // Fifteen minutes after o-1000: the same id again, outside the deduplication window, so it is a new order.
  t = start + 15 * 60_000;
  push('o-1000', valid(0));
  return records;
}

export async function main(): Promise<void> {
  await runExample('pipeline', async (ctx) => {
    const topics: PipelineTopics = {
      orders: `pipeline-${ctx.runId}-orders`,
      customers: `pipeline-${ctx.runId}-customers`,
      enriched: `pipeline-${ctx.runId}-orders-enriched`,
      failed: `pipeline-${ctx.runId}-orders-failed`,
    };
    const applicationId = `kaskade-example-pipeline-${ctx.runId}`;
    await createExampleTopics(
      ctx,
      applicationId,
      Object.values(topics).map((topic) => ({ topic, partitions: 3 })),
    );
    await produceRecords(
      ctx.bootstrapServers,
      topics.customers,
      CUSTOMERS.map(([id, customer]) => ({ key: id, value: JSON.stringify(customer) })),
    );

    const topology = pipelineTopology(topics);
    console.log(topology.describe().toString());
    const streams = new KafkaStreams(topology, {
      applicationId,
      bootstrapServers: ctx.bootstrapServers,
      stateDir: ctx.stateDir,
      commitIntervalMs: 200,
    });
    ctx.onClose(() => streams.close());
    streams.onStateChange(({ from, to }) => console.log(`[pipeline] state ${from} -> ${to}`));
    await streams.start();
    // A stream-table join sees the table as it is when the order is processed: load the customers first.
    await waitUntilCaughtUp(streams, topology);
    console.log(`[pipeline] customer table loaded (${CUSTOMERS.length} customers)`);

    // Event time an hour ago: the window store keeps ids for ten minutes of *event* time.
    const orders = sampleOrders(Date.now() - 3_600_000);
    await produceRecords(ctx.bootstrapServers, topics.orders, orders);
    console.log(`[pipeline] produced ${orders.length} order records to ${topics.orders}`);
    await waitUntilCaughtUp(streams, topology);
    const metrics = streams.metrics();
    await streams.close();

    const enriched = (await readToEnd(ctx.bootstrapServers, topics.enriched)).map(
      (m) => JSON.parse(m.value!.toString()) as EnrichedOrder,
    );
    const failed = (await readToEnd(ctx.bootstrapServers, topics.failed)).map(
      (m) => JSON.parse(m.value!.toString()) as FailedOrder,
    );
    const duplicates = metrics.droppedByReason[DUPLICATE] ?? 0;
    const accepted = orders.length - failed.length;
    const unknown = enriched.filter((e) => e.customerName === null).length;
    console.log('[pipeline] summary');
    console.log(`  orders in            ${orders.length}`);
    console.log(`  accepted (valid)     ${accepted}`);
    console.log(`  duplicates dropped   ${duplicates}`);
    console.log(`  failed               ${failed.length}`);
    console.log(`  enriched             ${enriched.length} (${unknown} of an unknown customer)`);
    console.log('[pipeline] sample enriched orders:');
    for (const e of [
      ...enriched.filter((e) => e.customerName !== null).slice(0, 3),
      ...enriched.filter((e) => e.customerName === null).slice(0, 1),
    ]) {
      console.log(`  ${JSON.stringify(e)}`);
    }
    console.log('[pipeline] sample failures:');
    for (const f of [...new Map(failed.map((f) => [f.reason.split(':')[0], f])).values()].slice(0, 4)) {
      console.log(`  ${f.reason}   <- ${f.raw.length > 60 ? `${f.raw.slice(0, 57)}...` : f.raw}`);
    }
    if (accepted !== duplicates + enriched.length) {
      console.error(`[pipeline] accepted ${accepted} != duplicates ${duplicates} + enriched ${enriched.length}`);
      process.exitCode = 1;
    }
  });
}

if (isEntryPoint(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
