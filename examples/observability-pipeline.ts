// An observability pipeline: log events from many hosts, validated, deduplicated, enriched with master data and
// transformed, each stage writing a topic of its own (4 partitions each) with Avro values through a schema registry:
//
//   ingest ─ validate ─┬─ invalid ───────────────────────────────────────────────────────────────────▶ failed
//   (JSON text)        └─ valid ─▶ raw ─ deduplicate (1 h) ─▶ unique ─ by host ─ left join hosts ─▶ denorm
//                                                                       (repartition)  (KTable)        │
//                                                     transform ◀─ severity, service, trimmed message ◀─┘
//
// Producers compress with snappy and are idempotent (exactly_once_v2: transactional, hence idempotent, producers).
//   node --conditions=kaskade-source --import tsx examples/observability-pipeline.ts
// Starts a local broker when KASKADE_BOOTSTRAP_SERVERS is not set, and a schema registry (npm run setup builds it).
import type { Serde, StreamsConfigInput, Topology } from 'kaskade';
import {
  Consumed,
  Joined,
  KafkaStreams,
  Named,
  Produced,
  Serdes,
  StreamsBuilder,
  schemaRegistryAvroSerde,
} from 'kaskade';
import { startSchemaRegistry } from 'kaskade/testing';
import { createExampleTopics, isEntryPoint, produceRecords, readToEnd, runExample } from './example-kit.js';

/** The pipeline's topics, one per stage. */
export interface ObservabilityTopics {
  /** Log events as JSON text from the agents; key = event id. */
  readonly ingest: string;
  readonly raw: string;
  readonly unique: string;
  readonly denorm: string;
  readonly transform: string;
  /** Events that failed validation, as JSON ({@link FailedEvent}), key as received. */
  readonly failed: string;
  /** Master data: key = host name, value = {@link HostInfo} as JSON. */
  readonly hosts: string;
}

export const PARTITIONS = 4;
/** Copies of an event id within this much event time are dropped. */
export const DEDUP_RETENTION_MS = 60 * 60_000;
/** The producers' settings: snappy compression; idempotence comes with exactly_once_v2's transactional producers. */
export const PRODUCER_CONFIG = { 'compression.type': 'snappy', 'enable.idempotence': true } as const;

export const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export interface LogEvent {
  eventId: string;
  host: string;
  level: (typeof LEVELS)[number];
  message: string;
  timestampMs: number;
}
export interface HostInfo {
  service: string;
  region: string;
  team: string;
}
export interface DenormEvent extends LogEvent {
  service: string | null;
  region: string | null;
  team: string | null;
}
export interface TransformedEvent {
  eventId: string;
  host: string;
  service: string;
  region: string;
  /** 0 (debug) to 4 (fatal). */
  severity: number;
  message: string;
  timestampMs: number;
}
export interface FailedEvent {
  readonly reason: string;
  readonly raw: string;
}

const str = { type: 'string' } as const;
const nullableStr = { type: ['null', 'string'], default: null } as const;
const logEventFields = [
  { name: 'eventId', type: str },
  { name: 'host', type: str },
  { name: 'level', type: { type: 'enum', name: 'Level', symbols: [...LEVELS] } },
  { name: 'message', type: str },
  { name: 'timestampMs', type: 'long' },
];
export const SCHEMAS = {
  raw: { type: 'record', name: 'LogEvent', namespace: 'kaskade.observability', fields: logEventFields },
  denorm: {
    type: 'record',
    name: 'DenormEvent',
    namespace: 'kaskade.observability',
    fields: [
      ...logEventFields,
      { name: 'service', type: nullableStr.type, default: null },
      { name: 'region', type: nullableStr.type, default: null },
      { name: 'team', type: nullableStr.type, default: null },
    ],
  },
  transform: {
    type: 'record',
    name: 'TransformedEvent',
    namespace: 'kaskade.observability',
    fields: [
      { name: 'eventId', type: str },
      { name: 'host', type: str },
      { name: 'service', type: str },
      { name: 'region', type: str },
      { name: 'severity', type: 'int' },
      { name: 'message', type: str },
      { name: 'timestampMs', type: 'long' },
    ],
  },
} as const;

/** The Avro serdes of the stages, registered with the registry at `registryUrl` under `<topic>-value`. */
export interface ObservabilitySerdes {
  readonly raw: Serde<LogEvent>;
  readonly unique: Serde<LogEvent>;
  readonly denorm: Serde<DenormEvent>;
  readonly transform: Serde<TransformedEvent>;
}

export async function observabilitySerdes(registryUrl: string, t: ObservabilityTopics): Promise<ObservabilitySerdes> {
  const serde = <T>(schema: object, topics: string[]) =>
    schemaRegistryAvroSerde<T>({ registry: registryUrl, schema: schema as never, topics });
  // One after the other: Apicurio's storage can fail concurrent first registrations (a primary-key clash, HTTP 500).
  const raw = await serde<LogEvent>(SCHEMAS.raw, [t.raw, t.unique]);
  const denorm = await serde<DenormEvent>(SCHEMAS.denorm, [t.denorm]);
  const transform = await serde<TransformedEvent>(SCHEMAS.transform, [t.transform]);
  return { raw, unique: raw, denorm, transform };
}

type Validated =
  { readonly ok: true; readonly event: LogEvent } | { readonly ok: false; readonly failure: FailedEvent };

/** Parses one ingested record: JSON, every field of the right type, a known level, the key is the event id. */
export function validateEvent(key: string | null, raw: string): Validated {
  const fail = (reason: string): Validated => ({ ok: false, failure: { reason, raw } });
  let v: Partial<{ [K in keyof LogEvent]: unknown }>;
  try {
    v = JSON.parse(raw) as typeof v;
  } catch (e) {
    return fail(`not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null) return fail('not an object');
  for (const f of ['eventId', 'host', 'message'] as const) {
    if (typeof v[f] !== 'string' || v[f] === '') return fail(`${f}: must be a non-empty string`);
  }
  if (!LEVELS.includes(v.level as LogEvent['level'])) return fail(`level: must be one of ${LEVELS.join(', ')}`);
  if (!Number.isSafeInteger(v.timestampMs)) return fail('timestampMs: must be an integer');
  if (key !== v.eventId) return fail(`key ${JSON.stringify(key)} is not the eventId`);
  return { ok: true, event: v as LogEvent };
}

/** The last stage: severity from the level, the service and region of the host (`unknown` without master data). */
export function transformEvent(e: DenormEvent): TransformedEvent {
  return {
    eventId: e.eventId,
    host: e.host,
    service: e.service ?? 'unknown',
    region: e.region ?? 'unknown',
    severity: LEVELS.indexOf(e.level),
    message: e.message.trim().replace(/\s+/g, ' '),
    timestampMs: e.timestampMs,
  };
}

/** The whole pipeline as one topology; processors and internal topics have fixed names. */
export function observabilityTopology(t: ObservabilityTopics, serdes: ObservabilitySerdes): Topology {
  const S = Serdes.String();
  const builder = new StreamsBuilder();
  const validated = builder
    .stream(t.ingest, Consumed.with(S, S).withName('ingest'))
    .mapValues((raw, key) => validateEvent(key, raw), Named.as('validate'));
  validated
    .flatMapValues((v) => (v.ok ? [] : [v.failure]), Named.as('invalid'))
    .to(t.failed, Produced.with(S, Serdes.Json<FailedEvent>()).withName('failed-sink'));
  validated
    .flatMapValues((v) => (v.ok ? [v.event] : []), Named.as('valid'))
    .to(t.raw, Produced.with(S, serdes.raw).withName('raw-sink'));

  // Keyed by event id since ingest, so all copies of an event meet in one task.
  builder
    .stream(t.raw, Consumed.with(S, serdes.raw).withName('raw'))
    .deduplicate({ retentionMs: DEDUP_RETENTION_MS, name: 'event-ids' })
    .to(t.unique, Produced.with(S, serdes.unique).withName('unique-sink'));

  const hosts = builder.table(t.hosts, Consumed.with(S, Serdes.Json<HostInfo>()).withName('hosts'));
  builder
    .stream(t.unique, Consumed.with(S, serdes.unique).withName('unique'))
    .selectKey((_id, e) => e.host, Named.as('by-host'))
    .leftJoin(
      hosts,
      (e: LogEvent, h: HostInfo | null): DenormEvent => ({
        ...e,
        service: h?.service ?? null,
        region: h?.region ?? null,
        team: h?.team ?? null,
      }),
      // The repartition topic is internal to the application: JSON there, no schema to register.
      Joined.with(S, Serdes.Json<LogEvent>(), Serdes.Json<HostInfo>()).withName('denormalize'),
    )
    .to(t.denorm, Produced.with(S, serdes.denorm).withName('denorm-sink'));

  builder
    .stream(t.denorm, Consumed.with(S, serdes.denorm).withName('denorm'))
    .mapValues(transformEvent, Named.as('transform'))
    .to(t.transform, Produced.with(S, serdes.transform).withName('transform-sink'));
  return builder.build();
}

/** The application's settings: exactly-once, snappy. */
export function observabilityConfig(
  applicationId: string,
  bootstrapServers: string,
  stateDir: string,
): StreamsConfigInput {
  return {
    applicationId,
    bootstrapServers,
    stateDir,
    processingGuarantee: 'exactly_once_v2',
    commitIntervalMs: 200,
    producerConfig: { ...PRODUCER_CONFIG },
  };
}

export const topicsFor = (prefix: string): ObservabilityTopics => ({
  ingest: `${prefix}-ingest`,
  raw: `${prefix}-raw`,
  unique: `${prefix}-unique`,
  denorm: `${prefix}-denorm`,
  transform: `${prefix}-transform`,
  failed: `${prefix}-failed`,
  hosts: `${prefix}-hosts`,
});

export const HOSTS: readonly (readonly [string, HostInfo])[] = Array.from({ length: 12 }, (_, i) => [
  `host-${i}`,
  { service: ['api', 'db', 'cache'][i % 3]!, region: ['eu-west', 'us-east'][i % 2]!, team: `team-${i % 4}` },
]);

/** One ingested record of {@link sampleEvents}; `id` is the event id the record stands for (invalid ones too). */
export interface SampleEvent {
  readonly id: string;
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
  readonly valid: boolean;
}

/**
 * `n` distinct events from `start` (1 ms apart): every 10th is invalid (each kind in turn), every 7th valid one is
 * sent twice (the copy later in the stream), and every 13th names a host without master data. Returns the records in
 * sending order (duplicates included).
 */
export function sampleEvents(n: number, start: number): SampleEvent[] {
  const out: SampleEvent[] = [];
  const copies: SampleEvent[] = [];
  for (let i = 0; i < n; i++) {
    const id = `ev-${i}`;
    const timestamp = start + i;
    const host = i % 13 === 12 ? 'host-unknown' : HOSTS[i % HOSTS.length]![0];
    const event: LogEvent = {
      eventId: id,
      host,
      level: LEVELS[i % 5]!,
      message: `  request ${i}  done `,
      timestampMs: timestamp,
    };
    if (i % 10 === 9) {
      const bad = [
        'not json {',
        JSON.stringify({ ...event, level: 'loud' }),
        JSON.stringify({ ...event, host: '' }),
        JSON.stringify({ ...event, eventId: 'other' }),
      ][((i / 10) % 4) | 0]!;
      out.push({ id, key: id, value: bad, timestamp, valid: false });
      continue;
    }
    const record = { id, key: id, value: JSON.stringify(event), timestamp, valid: true };
    out.push(record);
    if (i % 7 === 0) copies.push(record);
    // The copies go out a while later, interleaved with new events.
    if (i % 50 === 49) out.push(...copies.splice(0));
  }
  out.push(...copies);
  return out;
}

// ---- the runnable example ----

if (isEntryPoint(import.meta.url)) {
  await runExample('observability', async (ctx) => {
    const registry = await startSchemaRegistry();
    ctx.onClose(() => registry.stop());
    const t = topicsFor(`obs-${ctx.runId}`);
    const appId = `obs-${ctx.runId}`;
    await createExampleTopics(
      ctx,
      appId,
      Object.values(t).map((topic) => ({ topic, partitions: PARTITIONS })),
    );
    await produceRecords(
      ctx.bootstrapServers,
      t.hosts,
      HOSTS.map(([key, h]) => ({ key, value: JSON.stringify(h) })),
    );
    const events = sampleEvents(2_000, Date.now() - 600_000);
    await produceRecords(ctx.bootstrapServers, t.ingest, events);
    const topology = observabilityTopology(t, await observabilitySerdes(registry.url, t));
    const streams = new KafkaStreams(topology, observabilityConfig(appId, ctx.bootstrapServers, ctx.stateDir));
    ctx.onClose(() => streams.close());
    await streams.start();
    const distinct = new Set(events.map((e) => e.id));
    const invalid = new Set(events.filter((e) => !e.valid).map((e) => e.id));
    // Read (read_committed) until every event has come out: under exactly-once, output appears per commit.
    const deadline = Date.now() + 180_000;
    let done: unknown[] = [];
    let failed: unknown[] = [];
    while (done.length + failed.length < distinct.size && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1_000));
      [done, failed] = await Promise.all([
        readToEnd(ctx.bootstrapServers, t.transform),
        readToEnd(ctx.bootstrapServers, t.failed),
      ]);
    }
    console.log(
      `[observability] ${events.length} ingested (${distinct.size} distinct events, ${invalid.size} invalid)`,
    );
    console.log(
      `[observability] ${done.length} transformed, ${failed.length} failed, ${streams.metrics().droppedByReason['duplicate'] ?? 0} duplicates dropped`,
    );
    if (done.length + failed.length !== distinct.size || failed.length !== invalid.size) {
      throw new Error('[observability] every event must end in transform or failed exactly once');
    }
    console.log('[observability] every event ended in transform or failed exactly once');
  });
}
