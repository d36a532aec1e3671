import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { ConfigError } from '@kaskade/processor-api';
import type { Serde, TimestampExtractor } from '@kaskade/processor-api';
import type { Registry } from 'prom-client';
import type { ClientConfig } from '../kafka/kafka-types.js';
import { DefaultProductionExceptionHandler } from '../errors/default-production-exception-handler.js';
import type {
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
  ProductionExceptionHandler,
} from '../errors/exception-handlers.js';
import { formatIssueList, formatIssuePath } from '../errors/format-issues.js';
import type { Issue } from '../errors/format-issues.js';
import { LogAndContinueExceptionHandler } from '../errors/log-and-continue-exception-handler.js';
import { LogAndFailExceptionHandler } from '../errors/log-and-fail-exception-handler.js';
import { BytesSerde } from '../serde/bytes-serde.js';
import { RecordTimestampExtractor } from '../time/record-timestamp-extractor.js';
import { unknownFieldMessage } from './closest-field.js';
import { consoleLogger } from './logger.js';
import type { Logger } from './logger.js';

/** @see StreamsConfig.processingGuarantee */
export type ProcessingGuarantee = 'at_least_once' | 'exactly_once_v2';

/** The built-in deserialization and processing exception handlers, by name. */
export type BuiltInExceptionHandlerName = 'logAndFail' | 'logAndContinue';

/**
 * The validated configuration of a Kaskade application, every default filled in and every handler resolved to an
 * object. Frozen. Make one with {@link parseStreamsConfig}.
 *
 * @see org.apache.kafka.streams.StreamsConfig
 */
export interface StreamsConfig {
  /**
   * Identifies the application: the consumer group id, the prefix of internal topic names
   * (`<applicationId>-<store>-changelog`) and the state directory name. Required; the characters a Kafka topic name
   * allows (`[a-zA-Z0-9._-]`), at most 249. Changing it starts the application from scratch.
   */
  readonly applicationId: string;
  /** The brokers to connect to first: `host:port[,host:port...]`. Required. */
  readonly bootstrapServers: string;
  /** Where local state stores live, under `<stateDir>/<applicationId>/<taskId>/`. Default: `<os tmpdir>/kaskade-streams`. */
  readonly stateDir: string;
  /**
   * `at_least_once` (default): after a crash, records since the last commit are processed again. `exactly_once_v2`:
   * outputs, state changes and input offsets commit together in Kafka transactions, and consumers read committed data.
   */
  readonly processingGuarantee: ProcessingGuarantee;
  /** How often to commit, in ms. Default: 30 000, or 100 under `exactly_once_v2` (outputs are visible only on commit). */
  readonly commitIntervalMs: number;
  /** Bytes of record cache across all stores of the instance (0 disables caching). Default: 10 MiB. */
  readonly cacheMaxBytes: number;
  /** The most records taken from the consumer per batch. Default: 1000. */
  readonly maxPollRecords: number;
  /** How long one poll waits for records when none are buffered, in ms. Default: 100. */
  readonly pollMs: number;
  /**
   * How long a rebalance or `close()` waits for asynchronous operators' in-flight calls before giving them up (their
   * records are not committed; the next owner processes them), in ms. Default: 10 000.
   */
  readonly asyncDrainTimeoutMs: number;
  /**
   * The key serde of sources, sinks and stores that name none. Default: `Serdes.Bytes()` (Kafka Streams has no default;
   * bytes pass through whatever arrives, and a non-Buffer key fails clearly at the sink).
   */
  readonly defaultKeySerde: Serde<unknown>;
  /** The value serde of sources, sinks and stores that name none. Default: `Serdes.Bytes()` (see `defaultKeySerde`). */
  readonly defaultValueSerde: Serde<unknown>;
  /**
   * Gives each consumed record its event time. Default: {@link RecordTimestampExtractor}, the record's own timestamp,
   * failing on a negative one.
   */
  readonly defaultTimestampExtractor: TimestampExtractor;
  /** What to do with a record that cannot be deserialized. Input: `'logAndFail'` (default), `'logAndContinue'` or a handler. */
  readonly deserializationExceptionHandler: DeserializationExceptionHandler;
  /** What to do when a processor throws. Input: `'logAndFail'` (default), `'logAndContinue'` or a handler. */
  readonly processingExceptionHandler: ProcessingExceptionHandler;
  /** What to do when a sink cannot serialize or deliver a record. Input: `'fail'` (default) or a handler. */
  readonly productionExceptionHandler: ProductionExceptionHandler;
  /**
   * When set, the built-in deserialization and processing handlers also send each failed source record, bytes
   * unchanged and the error in headers, to this topic (Kafka's `errors.dead.letter.queue.topic.name`, KIP-1034).
   */
  readonly deadLetterQueueTopic?: string;
  /** Replication factor of the internal topics Kaskade creates: an integer >= 1, or -1 (default) for the broker's default. */
  readonly replicationFactor: number;
  /**
   * Whether the instance obeys the application's control topic `<applicationId>-control` (created when missing), where
   * `kaskade pause|resume|rewind` and `pauseApplication()`/`resumeApplication()`/`rewindApplication()` reach every
   * replica. Default: true.
   */
  readonly applicationControl: boolean;
  /**
   * Identifies this instance (process) of the application; under `exactly_once_v2` its transactional id is
   * `<applicationId>-<instanceId>`, so keep it stable across restarts and unique across instances. Default:
   * `<hostname>-<pid>`.
   */
  readonly instanceId: string;
  /**
   * librdkafka properties for every client Kaskade creates (consumers, producer, admin clients): the place for
   * settings all of them need, such as `security.protocol` and `sasl.*`/`ssl.*`. Precedence, lowest first: Kaskade's
   * defaults, then `clientConfig`, then the client's own `consumerConfig`/`producerConfig`/`adminConfig`. Kaskade's
   * own keys (see `consumerConfig`) are refused here too.
   */
  readonly clientConfig: ClientConfig;
  /**
   * librdkafka properties for the consumer, on top of `clientConfig` (the merged result is what this field holds
   * after parsing). Kaskade owns `group.id`, `enable.auto.commit`, `isolation.level` and
   * `transactional.id`; setting them here is an error.
   */
  readonly consumerConfig: ClientConfig;
  /** librdkafka properties for the producer, on top of `clientConfig` (the same keys are Kaskade's own as for `consumerConfig`). */
  readonly producerConfig: ClientConfig;
  /** librdkafka properties for admin clients, on top of `clientConfig` (the same keys are Kaskade's own as for `consumerConfig`). */
  readonly adminConfig: ClientConfig;
  /**
   * How long `start()` may take (topic checks and creation, connecting the clients, exactly-once producer
   * initialization), in ms. When it passes, `start()` rejects with the clients' last connection error (e.g.
   * "Connection refused", "SSL handshake failed"), logs it at error level and the instance goes to ERROR.
   * Default: 60 000.
   */
  readonly startTimeoutMs: number;
  /** Where Kaskade logs. Default: a console logger printing `info` and above. */
  readonly logger: Logger;
  /**
   * Prometheus metrics (prom-client), off by default: an instance without them pays nothing. `{}` registers them in a
   * registry of Kaskade's own (served by `server` at `/metrics`); `{ registry }` in the application's.
   */
  readonly metrics?: MetricsConfig;
  /**
   * An HTTP server of this instance, off by default: `/metrics`, `/health/live`, `/health/ready`, `/api/status`,
   * `/api/control` and the dashboard at `/`. Turns metrics on.
   */
  readonly server?: ServerConfig;
}

/** @see StreamsConfig.metrics */
export interface MetricsConfig {
  /** The prom-client registry to register in. Default: one of Kaskade's own per instance. */
  readonly registry?: Registry;
  /** How often librdkafka reports its statistics (consumer lag, queues, round trips), in ms. Default: 5000. */
  readonly statisticsIntervalMs?: number;
}

/** @see StreamsConfig.server */
export interface ServerConfig {
  /** TCP port; 0 picks a free one (read it from `streams.serverAddress()`). */
  readonly port: number;
  /** Interface to bind. Default: `127.0.0.1` (loopback only). */
  readonly host?: string;
  /**
   * Bearer token that `/api/control` requires (`Authorization: Bearer <token>`). Without one, control requests are
   * refused (403); reading endpoints stay open.
   */
  readonly token?: string;
  /**
   * Addresses (`http://host:port`) of the other replicas' servers, shown together on the dashboard. Default: none.
   */
  readonly peers?: readonly string[];
}

/**
 * What {@link parseStreamsConfig} accepts: `applicationId` and `bootstrapServers`, and any other field of
 * {@link StreamsConfig} (defaults fill the rest), with the exception handlers also given by name.
 *
 * ```ts
 * const config = parseStreamsConfig({
 *   applicationId: 'orders-enricher',
 *   bootstrapServers: 'localhost:9092',
 *   processingGuarantee: 'exactly_once_v2',
 *   deserializationExceptionHandler: 'logAndContinue',
 *   deadLetterQueueTopic: 'orders-enricher-dlq',
 * });
 * ```
 */
export type StreamsConfigInput = Pick<StreamsConfig, 'applicationId' | 'bootstrapServers'> &
  Partial<Omit<StreamsConfig, 'applicationId' | 'bootstrapServers' | HandlerField>> & {
    /** `'logAndFail'` (default), `'logAndContinue'` or a {@link DeserializationExceptionHandler}. */
    readonly deserializationExceptionHandler?: BuiltInExceptionHandlerName | DeserializationExceptionHandler;
    /** `'logAndFail'` (default), `'logAndContinue'` or a {@link ProcessingExceptionHandler}. */
    readonly processingExceptionHandler?: BuiltInExceptionHandlerName | ProcessingExceptionHandler;
    /** `'fail'` (default) or a {@link ProductionExceptionHandler}. */
    readonly productionExceptionHandler?: 'fail' | ProductionExceptionHandler;
  };

type HandlerField = 'deserializationExceptionHandler' | 'processingExceptionHandler' | 'productionExceptionHandler';

/** Client properties that Kaskade sets itself, and why. */
const OWNED_CLIENT_KEYS: ReadonlyMap<string, string> = new Map([
  ['group.id', 'Kaskade sets it to applicationId'],
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
  maxPollRecords: integer(1).default(1000),
  pollMs: integer(0).default(100),
  asyncDrainTimeoutMs: integer(0).default(10_000),
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
    .union([z.literal('fail'), z.custom<ProductionExceptionHandler>(hasFunctions('handle'))], {
      error: `must be 'fail' or an object with a handle(context, error) method`,
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

const KNOWN_FIELDS: readonly string[] = Object.keys(streamsConfigSchema.shape);

function isHostPort(server: string): boolean {
  const match = HOST_PORT.exec(server);
  if (match === null) return false;
  const port = Number(match[1]);
  return port >= 1 && port <= 65535;
}

/**
 * Validates a configuration and fills in the defaults. Throws a {@link ConfigError} that lists every bad field at
 * once, each with its path and what is wrong (also in `error.issues`); unknown fields are errors too, with the
 * closest known field suggested. Parsing an already parsed config gives an equal config.
 *
 * ```ts
 * const config = parseStreamsConfig({ applicationId: 'wordcount', bootstrapServers: 'localhost:9092' });
 * config.commitIntervalMs; // 30000
 * ```
 * @throws ConfigError
 */
export function parseStreamsConfig(input: unknown): StreamsConfig {
  const result = streamsConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.flatMap((issue) => toIssues(issue, input));
    throw new ConfigError(`invalid configuration:\n${formatIssueList(issues)}`, issues, { cause: result.error });
  }
  const parsed = result.data;
  const logger = parsed.logger ?? consoleLogger();
  const handlerOptions = { logger, deadLetterQueueTopic: parsed.deadLetterQueueTopic };
  const config: StreamsConfig = {
    ...parsed,
    commitIntervalMs: parsed.commitIntervalMs ?? (parsed.processingGuarantee === 'exactly_once_v2' ? 100 : 30_000),
    deserializationExceptionHandler: resolveHandler(parsed.deserializationExceptionHandler, handlerOptions),
    processingExceptionHandler: resolveHandler(parsed.processingExceptionHandler, handlerOptions),
    productionExceptionHandler:
      parsed.productionExceptionHandler === 'fail'
        ? new DefaultProductionExceptionHandler()
        : parsed.productionExceptionHandler,
    // Per-client settings win over the shared ones. Merged here, once, so every client of the runtime (and of tools
    // that take a parsed config) gets the same view; parsing a parsed config again gives the same result.
    clientConfig: Object.freeze({ ...parsed.clientConfig }),
    consumerConfig: Object.freeze({ ...parsed.clientConfig, ...parsed.consumerConfig }),
    producerConfig: Object.freeze({ ...parsed.clientConfig, ...parsed.producerConfig }),
    adminConfig: Object.freeze({ ...parsed.clientConfig, ...parsed.adminConfig }),
    logger,
  };
  return Object.freeze(config);
}

function resolveHandler<H extends DeserializationExceptionHandler | ProcessingExceptionHandler>(
  handler: BuiltInExceptionHandlerName | H,
  options: { logger: Logger; deadLetterQueueTopic: string | undefined },
): H | LogAndFailExceptionHandler | LogAndContinueExceptionHandler {
  if (handler === 'logAndFail') return new LogAndFailExceptionHandler(options);
  if (handler === 'logAndContinue') return new LogAndContinueExceptionHandler(options);
  return handler;
}

/** One zod issue as config issues: an unrecognized-keys issue becomes one issue per unknown field. */
function toIssues(issue: z.core.$ZodIssue, input: unknown): Issue[] {
  if (issue.code === 'unrecognized_keys') {
    // A nested object (server, metrics) names its own path; only top-level fields get a closest-match suggestion.
    if (issue.path.length > 0) {
      return issue.keys.map((key) => ({ field: formatIssuePath([...issue.path, key]), message: 'unknown field' }));
    }
    return issue.keys.map((key) => ({ field: key, message: unknownFieldMessage(key, KNOWN_FIELDS) }));
  }
  if (issue.path.length === 0 && issue.code === 'invalid_type') {
    return [{ field: '(root)', message: `the configuration must be an object, got ${describe(input)}` }];
  }
  return [{ field: formatIssuePath(issue.path), message: issue.message }];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}
