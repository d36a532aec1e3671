import type { Serde, TimestampExtractor } from '@kaskade/processor-api';
import type { Registry } from 'prom-client';
import type { ClientConfig } from '../kafka/kafka-types.js';
import type {
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
  ProductionExceptionHandler,
} from '../errors/exception-handlers.js';
import type { Logger } from './logger.js';

// The configuration's types; its validation is in streams-config-schema.ts and parse-streams-config.ts.
export { parseStreamsConfig } from './parse-streams-config.js';
export { streamsConfigSchema } from './streams-config-schema.js';

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
  /**
   * Estimated bytes of store writes held in memory until the next commit, across all stores of the instance: past it
   * the instance commits early, so memory does not grow with the commit interval or the number of keys written in one
   * (Kafka Streams' `statestore.uncommitted.max.bytes`, KIP-892). Default: 64 MiB.
   */
  readonly stateStoreUncommittedMaxBytes: number;
  /** The most records taken from the consumer per batch. Default: 1000. */
  readonly maxPollRecords: number;
  /**
   * The most records this instance takes from its source topics per second (a token bucket: fetching waits while it
   * is empty; `metrics().throttledMs` counts the wait). Stated per instance: N replicas take up to N times as many.
   * Default: no limit.
   */
  readonly maxRecordsPerSecond?: number;
  /**
   * The most records per second this instance takes from each named source topic, shared equally by its assigned
   * partitions (what an idle partition does not use goes to the others): a partition past its share is paused and
   * sought back to its first record not processed, until its share refills (`metrics().throttledMsByTopic`). Other
   * topics keep flowing, also in the same task. Per instance, as `maxRecordsPerSecond`. Every key must be a source
   * topic of the topology.
   */
  readonly maxRecordsPerSecondByTopic?: { readonly [topic: string]: number };
  /** How long one poll waits for records when none are buffered, in ms. Default: 100. */
  readonly pollMs: number;
  /**
   * Task idling (Kafka Streams' `max.task.idle.ms`, KIP-695): how long a task with several input partitions waits for
   * data on a partition that has none buffered, once that partition is known to be caught up, before it processes
   * the others without it. While such a partition is known to have records on the broker not yet fetched (or its lag
   * is not known yet), the task always waits, so that joins over a backlog see records in timestamp order. Default: 0
   * (wait only while records are known to be on their way); -1: never wait (process whatever is buffered).
   */
  readonly maxTaskIdleMs: number;
  /**
   * How many other instances keep a warm copy (a standby) of each task's stores, read from its changelogs, so that a
   * failover restores only the tail. Placement follows the group's assignment; 0 (default): no standbys.
   */
  readonly numStandbyReplicas: number;
  /**
   * How many stream threads this instance runs (Kafka Streams' `num.stream.threads`): each is a worker thread with its
   * own consumer in the application's group, its own producer and its own tasks, so processing uses as many cores.
   * More than 1 needs the topology and config from a module each thread imports: create the instance with
   * `KafkaStreams.fromModule(url)`. Default: 1 (processing on the thread that made the instance, no worker).
   */
  readonly numStreamThreads: number;
  /**
   * How long a rebalance or `close()` waits for asynchronous operators' in-flight calls before giving them up (their
   * records are not committed; the next owner processes them), in ms. Default: 10 000.
   */
  readonly asyncDrainTimeoutMs: number;
  /** `EmitStrategy.onWindowClose()`: least wall-clock ms between two emissions of one aggregation (default 1000). */
  readonly emitOnWindowCloseIntervalMs: number;
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
   * Static group membership (KIP-345): the consumer joins with `group.instance.id` = {@link instanceId}, so an instance
   * restarted within the consumer's `session.timeout.ms` (default 45 s) gets its tasks back and no other instance
   * sees a rebalance. Needs an explicit, stable `instanceId`. The price: a static member that stops does not leave
   * the group, so when an instance is removed for good its tasks move only after the session timeout. Default: false.
   */
  readonly staticMembership: boolean;
  /**
   * The consumer group protocol. `'consumer'`: Kafka 4's protocol (KIP-848) with incremental rebalances, where tasks
   * that stay with an instance keep processing while others move, and the broker's range assignor keeps partition p of
   * co-partitioned topics on one instance. `'classic'`: the eager protocol, where every rebalance stops all tasks.
   * `'auto'` (default): `'consumer'` when the broker offers it and `consumerConfig` sets none of the classic protocol's
   * settings (`session.timeout.ms`, `heartbeat.interval.ms`, `partition.assignment.strategy`), else `'classic'`; the
   * choice is logged at start. Under `'consumer'` the session timeout and heartbeat interval are the broker's
   * (`group.consumer.session.timeout.ms`, default 45 s).
   */
  readonly groupProtocol: 'auto' | 'consumer' | 'classic';
  /**
   * Kaskade's native addon (`@kaskade/core`'s `native/`, built when the package is installed — a C++ compiler and
   * Node's headers are needed; the install says why when it cannot), which moves whole batches of records
   * across the native boundary in one call instead of one object per record. Used by restoration (changelogs read
   * into stores), by the stream thread's producer — transactions (exactly-once) included, when the consumer is native
   * too (`nativeConsumer`): a transaction's offsets carry the consumer's group metadata, which each client hands only
   * to its own kind of producer — and by its consumer (`nativeConsumer`).
   * `'auto'` (default): used when built, else the Kafka client, logged once per restorer and producer;
   * `'required'`: construction fails when it is not built; `'off'`: never used. When unset, the environment variable
   * `KASKADE_NATIVE_CLIENT` (same values) decides, so that an operator can switch the native path off without a
   * code change.
   */
  readonly nativeClient: 'auto' | 'required' | 'off';
  /**
   * The stream thread's consumer through Kaskade's native addon too (where `nativeClient` lets the addon be used),
   * each consumed batch crossing the native boundary as one block of columns. Default true; false: the Kafka client's
   * consumer (and, under exactly-once, its producer too). When unset, the environment variable `KASKADE_NATIVE_CONSUMER`
   * (`true`/`false`) decides, and true when that is unset too.
   */
  readonly nativeConsumer: boolean;
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
    /**
     * `'fail'` (default), `'logAndContinue'` (drop the output record, counted, and dead-letter its source record when
     * `deadLetterQueueTopic` is set) or a {@link ProductionExceptionHandler}.
     */
    readonly productionExceptionHandler?: 'fail' | 'logAndContinue' | ProductionExceptionHandler;
  };

type HandlerField = 'deserializationExceptionHandler' | 'processingExceptionHandler' | 'productionExceptionHandler';
