import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import type { Serde, TimestampExtractor } from '@kaskade/processor-api';
import type { Registry } from 'prom-client';
import type {
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
  ProductionExceptionHandler,
} from '../errors/exception-handlers.js';
import { BytesSerde } from '../serde/bytes-serde.js';
import { RecordTimestampExtractor } from '../time/record-timestamp-extractor.js';
import type { Logger } from './logger.js';

/** Client properties that Kaskade sets itself, and why. */
/** The values of `nativeClient` (and of the KASKADE_NATIVE_CLIENT environment variable). */
const NATIVE_CLIENT = ['auto', 'required', 'off'] as const;

const OWNED_CLIENT_KEYS: ReadonlyMap<string, string> = new Map([
  ['group.id', 'Kaskade sets it to applicationId'],
  ['group.protocol', 'set groupProtocol instead'],
  ['group.remote.assignor', "Kaskade uses the broker's range assignor, which keeps co-partitioned partitions together"],
  ['enable.auto.commit', 'Kaskade commits offsets itself, as part of its commit protocol'],
  ['isolation.level', 'Kaskade sets it from processingGuarantee (read_committed under exactly_once_v2)'],
  ['transactional.id', 'Kaskade derives it from applicationId and instanceId under exactly_once_v2'],
]);

/** Kafka's topic-name rule; internal topic names are built from `applicationId`. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_NAME = 249;
const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9_](?:[a-zA-Z0-9_.-]*[a-zA-Z0-9_])?):(\d{1,5})$/;

/** Zod's message for a missing field, `what` for anything else. */
const required = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : what),
});

function topicName(what: string) {
  return z
    .string({ error: `must be a non-empty string of [a-zA-Z0-9._-] (${what})` })
    .regex(TOPIC_NAME, `must be a non-empty string of [a-zA-Z0-9._-] (${what})`)
    .max(MAX_TOPIC_NAME, `must be at most ${MAX_TOPIC_NAME} characters (${what})`);
}

function integer(min: number) {
  return z
    .number({ error: `must be an integer >= ${min}` })
    .int(`must be an integer >= ${min}`)
    .min(min, `must be >= ${min}`);
}

/** An object (class instances included) with these function-valued members. */
function hasFunctions(...names: string[]) {
  return (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

const HANDLER = 'an object with a handle(context, record, error) method';

const clientConfig = z
  .record(z.string(), z.unknown(), { error: 'must be an object of librdkafka properties' })
  .superRefine((properties, ctx) => {
    for (const [key, value] of Object.entries(properties)) {
      const owner = OWNED_CLIENT_KEYS.get(key);
      if (owner !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `must not be set: ${owner}` });
      else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        ctx.addIssue({ code: 'custom', path: [key], message: 'must be a string, number or boolean' });
      }
    }
  })
  .transform((properties) => properties as Record<string, string | number | boolean>)
  .default(() => ({}));

/**
 * The zod schema of {@link StreamsConfigInput}. Its output still has handler names and no `commitIntervalMs` or
 * `logger` default, which depend on other fields; {@link parseStreamsConfig} resolves them.
 */
export const streamsConfigSchema = z.strictObject({
  applicationId: z
    .string(required('must be a non-empty string of [a-zA-Z0-9._-]'))
    .regex(TOPIC_NAME, 'must be a non-empty string of [a-zA-Z0-9._-]')
    .max(MAX_TOPIC_NAME, `must be at most ${MAX_TOPIC_NAME} characters (internal topic names derive from it)`),
  bootstrapServers: z
    .string(required('must be a string of host:port[,host:port]'))
    .superRefine((servers, ctx) => {
      const bad = servers
        .split(',')
        .map((s) => s.trim())
        .filter((server) => !isHostPort(server));
      if (bad.length > 0) {
        const list = bad.map((server) => JSON.stringify(server)).join(', ');
        ctx.addIssue({ code: 'custom', message: `must be host:port[,host:port]; not host:port: ${list}` });
      }
    })
    // librdkafka tolerates spaces after commas, but a normalized list logs and compares better.
    .transform((servers) =>
      servers
        .split(',')
        .map((server) => server.trim())
        .join(','),
    ),
  stateDir: z
    .string({ error: 'must be a non-empty path' })
    .min(1, 'must be a non-empty path')
    .default(() => path.join(os.tmpdir(), 'kaskade-streams')),
  processingGuarantee: z
    .enum(['at_least_once', 'exactly_once_v2'], { error: "must be 'at_least_once' or 'exactly_once_v2'" })
    .default('at_least_once'),
  commitIntervalMs: integer(0).optional(),
  cacheMaxBytes: integer(0).default(10 * 1024 * 1024),
  stateStoreUncommittedMaxBytes: integer(0).default(64 * 1024 * 1024),
  maxPollRecords: integer(1).default(1000),
  maxRecordsPerSecond: z
    .number({ error: 'must be a number > 0 (records per second)' })
    .positive('must be a number > 0 (records per second)')
    .finite('must be a number > 0 (records per second)')
    .optional(),
  maxRecordsPerSecondByTopic: z
    .record(
      z.string(),
      z
        .number({ error: 'must be a number > 0 (records per second)' })
        .positive('must be a number > 0 (records per second)')
        .finite('must be a number > 0 (records per second)'),
      { error: 'must be an object: source topic → records per second' },
    )
    .optional(),
  pollMs: integer(0).default(100),
  maxTaskIdleMs: integer(-1).default(0),
  numStandbyReplicas: integer(0).default(0),
  numStreamThreads: integer(1).default(1),
  asyncDrainTimeoutMs: integer(0).default(10_000),
  /**
   * `EmitStrategy.onWindowClose()`: the least wall-clock time between two emissions of closed windows by one windowed
   * aggregation (Kafka Streams' internal `__emit.interval.ms.kstreams.windowed.aggregation__`); 0: at every record.
   */
  emitOnWindowCloseIntervalMs: integer(0).default(1000),
  defaultKeySerde: z
    .custom<Serde<unknown>>(hasFunctions('serialize', 'deserialize'), {
      error: 'must be a Serde: an object with serialize and deserialize methods',
    })
    .default(() => new BytesSerde() as Serde<unknown>),
  defaultValueSerde: z
    .custom<Serde<unknown>>(hasFunctions('serialize', 'deserialize'), {
      error: 'must be a Serde: an object with serialize and deserialize methods',
    })
    .default(() => new BytesSerde() as Serde<unknown>),
  defaultTimestampExtractor: z
    .custom<TimestampExtractor>(hasFunctions('extract'), {
      error: 'must be a TimestampExtractor: an object with an extract(record, partitionTimeMs) method',
    })
    .default(() => new RecordTimestampExtractor()),
  deserializationExceptionHandler: z
    .union(
      [z.enum(['logAndFail', 'logAndContinue']), z.custom<DeserializationExceptionHandler>(hasFunctions('handle'))],
      {
        error: `must be 'logAndFail', 'logAndContinue' or ${HANDLER}`,
      },
    )
    .default('logAndFail'),
  processingExceptionHandler: z
    .union([z.enum(['logAndFail', 'logAndContinue']), z.custom<ProcessingExceptionHandler>(hasFunctions('handle'))], {
      error: `must be 'logAndFail', 'logAndContinue' or ${HANDLER}`,
    })
    .default('logAndFail'),
  productionExceptionHandler: z
    .union([z.enum(['fail', 'logAndContinue']), z.custom<ProductionExceptionHandler>(hasFunctions('handle'))], {
      error: `must be 'fail', 'logAndContinue' or an object with a handle(context, error) method`,
    })
    .default('fail'),
  deadLetterQueueTopic: topicName('a topic name').optional(),
  replicationFactor: z
    .number({ error: 'must be -1 (the broker default) or an integer >= 1' })
    .int('must be -1 (the broker default) or an integer >= 1')
    .refine((n) => n === -1 || n >= 1, 'must be -1 (the broker default) or an integer >= 1')
    .default(-1),
  applicationControl: z.boolean({ error: 'must be true or false' }).default(true),
  instanceId: z
    .string({ error: 'must be a non-empty string' })
    .min(1, 'must be a non-empty string')
    .default(() => `${os.hostname()}-${process.pid}`),
  staticMembership: z.boolean({ error: 'must be true or false' }).default(false),
  groupProtocol: z
    .enum(['auto', 'consumer', 'classic'], { error: "must be 'auto', 'consumer' or 'classic'" })
    .default('auto'),
  // Unset, the environment's KASKADE_NATIVE_CLIENT decides (an operator's switch without a redeploy; CI runs broker
  // tests on the Kafka client with it), else 'auto'.
  nativeClient: z
    .enum(NATIVE_CLIENT, { error: "must be 'auto', 'required' or 'off'" })
    .optional()
    .transform((v, ctx) => {
      if (v !== undefined) return v;
      const env = process.env['KASKADE_NATIVE_CLIENT'];
      if (env === undefined || env === '') return 'auto';
      const valid = NATIVE_CLIENT.find((n) => n === env);
      if (valid) return valid;
      ctx.addIssue({
        code: 'custom',
        message: `unset, so the environment's KASKADE_NATIVE_CLIENT decides, and it must be 'auto', 'required' or 'off' (it is '${env}')`,
      });
      return z.NEVER;
    }),
  nativeConsumer: z
    .boolean({ error: 'must be true or false' })
    .optional()
    .transform((v, ctx) => {
      if (v !== undefined) return v;
      const env = process.env['KASKADE_NATIVE_CONSUMER'];
      if (env === undefined || env === '' || env === 'true') return true;
      if (env === 'false') return false;
      ctx.addIssue({
        code: 'custom',
        message: `unset, so the environment's KASKADE_NATIVE_CONSUMER decides, and it must be 'true' or 'false' (it is '${env}')`,
      });
      return z.NEVER;
    }),
  clientConfig: clientConfig,
  consumerConfig: clientConfig,
  producerConfig: clientConfig,
  adminConfig: clientConfig,
  startTimeoutMs: integer(1).default(60_000),
  logger: z
    .custom<Logger>(hasFunctions('debug', 'info', 'warn', 'error'), {
      error: 'must be a Logger: an object with debug, info, warn and error methods',
    })
    .optional(),
  metrics: z
    .strictObject(
      {
        registry: z
          .custom<Registry>(hasFunctions('metrics', 'registerMetric', 'getSingleMetric'), {
            error: 'must be a prom-client Registry',
          })
          .optional(),
        statisticsIntervalMs: integer(100).optional(),
      },
      { error: 'must be an object: { registry?, statisticsIntervalMs? }' },
    )
    .optional(),
  server: z
    .strictObject(
      {
        port: z
          .number({ error: 'must be a port number 0..65535' })
          .int('must be a port number 0..65535')
          .min(0, 'must be a port number 0..65535')
          .max(65535, 'must be a port number 0..65535'),
        host: z.string({ error: 'must be a host name or address' }).min(1, 'must be a host name or address').optional(),
        token: z.string({ error: 'must be a non-empty string' }).min(1, 'must be a non-empty string').optional(),
        peers: z
          .array(z.url({ error: 'must be an http(s) URL such as http://10.0.0.2:8080' }), {
            error: 'must be a list of URLs',
          })
          .readonly()
          .optional(),
      },
      { error: 'must be an object: { port, host?, token?, peers? }' },
    )
    .optional(),
});

/** The top-level fields, for suggestions on unknown ones. */
export const KNOWN_FIELDS: readonly string[] = Object.keys(streamsConfigSchema.shape);

function isHostPort(server: string): boolean {
  const match = HOST_PORT.exec(server);
  if (match === null) return false;
  const port = Number(match[1]);
  return port >= 1 && port <= 65535;
}
