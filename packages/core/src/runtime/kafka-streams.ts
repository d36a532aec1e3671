import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BehaviorSubject, Subject } from 'rxjs';
import type { Registry } from 'prom-client';
import type { Observable } from 'rxjs';
import { IllegalStateError, InvalidStateStoreError, ProductionError } from '@kaskade/processor-api';
import type { StateStore } from '@kaskade/processor-api';
import {
  TaskStateManager,
  TimestampedKeyValueStoreBuilder,
  TimestampedWindowStoreBuilder,
} from '@kaskade/state-store/internal';
import { parseStreamsConfig } from '../config/streams-config.js';
import type { StreamsConfig, StreamsConfigInput } from '../config/streams-config.js';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import type { RebalanceEvent } from '../kafka/kafka-consumer-client.js';
import { KafkaProducerClient } from '../kafka/kafka-producer-client.js';
import type { ProducerClientOptions } from '../kafka/kafka-producer-client.js';
import { KafkaOperationError } from '../kafka/kafka-client-error.js';
import { ClientDiagnostics } from '../kafka/client-diagnostics.js';
import type { ConsumedMessage } from '../kafka/kafka-types.js';
import { isTransientKafkaError } from '../kafka/retry-kafka.js';
import type { TopicPlan } from '../topology/internal-topic-planner.js';
import type { OffsetResetPolicy } from '../topology/node-definitions.js';
import type { QueryableStoreType } from './queryable-store-types.js';
import type { QueryableStoreName } from './queryable-store-name.js';
import type { Topology } from '../topology/topology.js';
import type { ChangelogRestorer } from './changelog-restorer.js';
import { ControlApplier } from '../control/control-applier.js';
import { ControlChannel } from '../control/control-channel.js';
import type { StateRestoreListener } from './changelog-restorer.js';
import { KafkaRecordCollector } from './kafka-record-collector.js';
import type { StreamTask } from './stream-task.js';
import { TaskManager } from './task-manager.js';
import { withinStartDeadline } from './start-deadline.js';
import { startOffsets } from './start-offsets.js';
import { RebalanceTimer } from './rebalance-timer.js';
import { CommitCoordinator, isTransactionError } from './commit-coordinator.js';
import { CorruptedStateRecovery, CorruptionTolerantRestorer } from './corrupted-state-recovery.js';
import { prepareTopics } from './prepare-topics.js';
import type { TaskEnvironment } from './task-environment.js';
import { isValidTransition } from './streams-state.js';
import type { StateChange, StreamsState } from './streams-state.js';
import { composeRestoreListeners } from '../observability/restore-progress-tracker.js';
import type { StreamsObservability } from '../observability/streams-observability.js';

/** Counters of the running instance. */
export interface StreamsMetrics {
  readonly processed: number;
  readonly skippedRecords: number;
  readonly droppedRecords: number;
  readonly droppedByReason: { readonly [reason: string]: number };
  readonly deadLettered: number;
  readonly punctuations: number;
  readonly commits: number;
  /** Exactly-once: failed transactions that were aborted (or whose producer was replaced) and rewound. */
  readonly transactionRecoveries: number;
  readonly restoredRecords: number;
  readonly produced: number;
  readonly activeTasks: readonly string[];
}

/** Options that are not configuration: listeners and seams for tests. */
export interface KafkaStreamsOptions {
  readonly restoreListener?: StateRestoreListener;
  /**
   * Makes the producer. A seam for fault-injection tests (e.g. a subclass whose `commitTransaction` fails); the
   * default is `new KafkaProducerClient(options)`.
   */
  readonly producerFactory?: (options: ProducerClientOptions) => KafkaProducerClient;
}

/**
 * Runs a topology: one consumer in the application's group (group.id = applicationId), one task per sub-topology
 * and assigned input partition, commits on an interval. Start several instances (processes) with the same
 * applicationId and Kafka spreads the partitions over them.
 *
 * ```ts
 * const streams = new KafkaStreams(topology, { applicationId: 'orders', bootstrapServers: 'localhost:9092' });
 * streams.onStateChange(({ from, to }) => console.log(from, '->', to));
 * await streams.start();
 * process.on('SIGTERM', () => void streams.close());
 * ```
 * @see org.apache.kafka.streams.KafkaStreams
 */
export class KafkaStreams {
  readonly config: StreamsConfig;
  readonly #topology: Topology;
  readonly #options: KafkaStreamsOptions;
  readonly #state$ = new BehaviorSubject<StreamsState>('CREATED');
  readonly #changes$ = new Subject<StateChange>();
  #error: Error | undefined;
  #plan: TopicPlan | undefined;
  #consumer: KafkaConsumerClient | undefined;
  #producer: KafkaProducerClient | undefined;
  #collector: KafkaRecordCollector | undefined;
  #restorer: ChangelogRestorer | undefined;
  #env: TaskEnvironment | undefined;
  readonly #tasks: TaskManager;
  readonly #topicToSub = new Map<string, number>();
  readonly #resetPolicy = new Map<string, OffsetResetPolicy>();
  readonly #rebalances: RebalanceEvent[] = [];
  /** When each event of `#rebalances` arrived. */
  readonly #rebalanceArrivals: number[] = [];
  readonly #rebalanceTimer: RebalanceTimer;
  #loop: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #stopRequested = false;
  #loopStopped = false;
  #committer: CommitCoordinator | undefined;
  #corruption: CorruptedStateRecovery | undefined;
  #admin: KafkaAdmin | undefined;
  #restored = 0;
  #paused = false;
  #controlChannel: ControlChannel | undefined;
  #control: ControlApplier | undefined;
  /** The clients' last connection error, for errors that would only say "timed out". */
  readonly #diagnostics = new ClientDiagnostics();
  /** What start() is doing, for its timeout error. */
  #startPhase = 'starting';
  #startCalled = false;
  /**
   * Metrics, status and server: undefined unless configured (then the loop skips every hook, and prom-client is not
   * even loaded). Made by `start()`.
   */
  #observability: StreamsObservability | undefined;

  /** Validates configuration and topology at once: a `ConfigError` or `TopologyError` names what is wrong. */
  constructor(topology: Topology, config: StreamsConfigInput, options: KafkaStreamsOptions = {}) {
    this.config = parseStreamsConfig(config);
    this.#topology = topology;
    this.#options = options;
    topology.subtopologies();
    this.#tasks = new TaskManager(topology, () => this.#env!, this.config.logger);
    this.#rebalanceTimer = new RebalanceTimer(this.config.logger);
  }

  async #createObservability(): Promise<void> {
    if (this.config.metrics === undefined && this.config.server === undefined) return;
    const { StreamsObservability } = await import('../observability/streams-observability.js');
    this.#observability = new StreamsObservability(this.config, {
      applicationId: this.config.applicationId,
      instanceId: this.config.instanceId,
      topology: this.#topology,
      readCommitted: this.#eos,
      state: () => this.state,
      isPaused: () => this.#paused,
      totals: () => this.metrics(),
      tasks: () => this.#tasks.all(),
      pause: () => this.pause(),
      resume: () => this.resume(),
    });
  }

  /**
   * The `http://host:port` of this instance's observability server (`server` in the config), once `start()` has
   * started it; undefined without one.
   */
  serverUrl(): string | undefined {
    return this.#observability?.serverUrl;
  }

  /**
   * The prom-client registry holding this instance's metrics (`metrics` or `server` in the config), once `start()`
   * has begun; undefined without metrics.
   */
  get metricsRegistry(): Registry | undefined {
    return this.#observability?.registry;
  }

  /** The current lifecycle state. */
  get state(): StreamsState {
    return this.#state$.value;
  }

  /** The state now and every later state. */
  get state$(): Observable<StreamsState> {
    return this.#state$.asObservable();
  }

  /** Every transition. */
  get stateChanges(): Observable<StateChange> {
    return this.#changes$.asObservable();
  }

  /** Calls `listener` on every transition; returns a function that removes it. */
  onStateChange(listener: (change: StateChange) => void): () => void {
    const sub = this.#changes$.subscribe(listener);
    return () => sub.unsubscribe();
  }

  /** The error that put the instance into ERROR, if any. */
  get error(): Error | undefined {
    return this.#error;
  }

  /**
   * Creates internal topics, joins the group and starts processing in the background. Resolves once the consumer
   * is subscribed; fails (the state becomes ERROR and the cause is logged at error level) when a source, sink or
   * dead-letter topic is missing, when inputs that must be co-partitioned are not, or when it does not complete within
   * `startTimeoutMs` — then with the Kafka clients' own connection error, e.g. "Connection refused" or
   * "SSL handshake failed" (a `StartTimeoutError`).
   */
  async start(): Promise<void> {
    if (this.state !== 'CREATED' || this.#startCalled) {
      throw new IllegalStateError(`start() can only be called once, in state CREATED (now ${this.state})`);
    }
    this.#startCalled = true;
    // The server comes first, so liveness and status are there while topics are prepared and stores restore.
    await this.#createObservability();
    try {
      await this.#observability?.start();
    } catch (e) {
      // The address cannot be bound: nothing else was started; take the instance's series out of the registry.
      await this.#observability?.stop();
      throw e;
    }
    if (this.state !== 'CREATED') {
      // close() was called while the server started.
      await this.#observability?.stop();
      return;
    }
    this.#setState('REBALANCING');
    this.#starting = (async () => {
      await this.#setup();
      // close() may have been called while setting up: then there is nothing to run.
      if (!this.#stopRequested) this.#loop = this.#runLoop();
    })();
    // Rejections after a start timeout are expected (the clients are shut down under setup's feet).
    this.#starting.catch(() => undefined);
    try {
      await withinStartDeadline(this.#starting, this.config.startTimeoutMs, () => ({
        bootstrapServers: this.config.bootstrapServers,
        phase: this.#startPhase,
        cause: this.#diagnostics.cause,
      }));
    } catch (e) {
      await this.#fail(e);
      throw e;
    }
  }

  /** Between the steps of setup: a start that timed out (or a close) ends setup instead of creating more clients. */
  #checkStarting(): void {
    if (this.#stopRequested) throw new IllegalStateError('start() was abandoned (closed, failed or timed out)');
  }

  /**
   * Stops processing, commits what was processed, closes stores and leaves the group. Resolves true when done
   * within `timeoutMs`.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<boolean> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    if (this.state === 'NOT_RUNNING') return true;
    if (this.state === 'PENDING_SHUTDOWN') {
      return this.#waitFor('NOT_RUNNING', timeoutMs);
    }
    const failed = this.state === 'ERROR' || this.state === 'PENDING_ERROR';
    if (this.state === 'PENDING_ERROR') await this.#waitFor('ERROR', timeoutMs);
    this.#setState('PENDING_SHUTDOWN');
    this.#stopRequested = true;
    const work = (async () => {
      // After a failed start, setup may still wait for an admin request; it creates nothing more once stopped.
      if (!failed) await this.#starting?.catch(() => undefined);
      await this.#loop?.catch(() => undefined);
      if (!failed && !this.#error && this.#producer && this.#consumer) {
        try {
          await this.#committer!.commit();
        } catch (e) {
          this.config.logger.error(`commit on close failed: ${(e as Error).message}`, { error: e });
        }
      }
      await this.#shutdownClients();
      this.#setState('NOT_RUNNING');
      await this.#observability?.stop();
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ok = await Promise.race([work.then(() => true), timeout]);
    clearTimeout(timer);
    return ok;
  }

  /**
   * Pauses processing: no record is processed, no punctuation runs and nothing new is produced until
   * {@link resume}. The instance stays in its group (it keeps polling, so it is not kicked out), commits what it
   * had processed, and keeps tasks assigned while paused paused too. May be called before `start()`.
   *
   * @see org.apache.kafka.streams.KafkaStreams#pause
   */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    // Stop fetching too: records would only pile up in the tasks' queues.
    if (this.#consumer?.connected) this.#consumer.pause(this.#consumer.assignments());
    this.config.logger.info('processing paused');
  }

  /** Resumes processing after {@link pause}. @see org.apache.kafka.streams.KafkaStreams#resume */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#consumer?.connected) this.#consumer.resume(this.#consumer.assignments());
    this.config.logger.info('processing resumed');
  }

  /** Whether processing is paused. @see org.apache.kafka.streams.KafkaStreams#isPaused */
  isPaused(): boolean {
    return this.#paused;
  }

  /** Deletes this application's local state directory. Only while not running. */
  cleanUp(): void {
    if (this.state !== 'CREATED' && this.state !== 'NOT_RUNNING' && this.state !== 'ERROR') {
      throw new IllegalStateError(`cleanUp() needs a stopped instance (state is ${this.state})`);
    }
    rmSync(join(this.config.stateDir, this.config.applicationId), { recursive: true, force: true });
  }

  /**
   * A read-only view of a store over all local tasks (each task holds the keys of its partitions), for queries from
   * outside the topology ("interactive queries"). Throws `InvalidStateStoreError` while the application is not
   * RUNNING (e.g. restoring after a rebalance) — retry then — or when no such store exists.
   *
   * ```ts
   * const COUNTS = QueryableStoreName.keyValue<string, number>('counts'); // also given to Materialized.as
   * const counts = streams.store(COUNTS, QueryableStoreTypes.keyValueStore());
   * counts.get('alice');
   * ```
   */
  store<T>(name: QueryableStoreName<T>, type: QueryableStoreType<T>): T {
    this.#checkQueryable(name);
    const def = this.#topology.stores().get(name)!;
    const probe = def.builder.build();
    if (!type.accepts(probe)) {
      throw new InvalidStateStoreError(`store "${name}" is not a ${type.kind}`, { context: { store: name } });
    }
    const timestamped =
      def.builder instanceof TimestampedKeyValueStoreBuilder || def.builder instanceof TimestampedWindowStoreBuilder;
    return type.compose(
      name,
      () => {
        this.#checkQueryable(name);
        const out: StateStore[] = [];
        for (const t of this.#tasks.all()) {
          const s = t.store(name);
          if (s) out.push(s);
        }
        return out;
      },
      timestamped,
    );
  }

  /** The store instances of each local task, by task id (for tests and tools). */
  localStores<S extends StateStore>(name: string): Map<string, S> {
    this.#checkQueryable(name);
    const out = new Map<string, S>();
    for (const t of this.#tasks.all()) {
      const s = t.store(name);
      if (s) out.set(t.idString, s as S);
    }
    return out;
  }

  #checkQueryable(name: string): void {
    if (!this.#topology.stores().has(name)) {
      throw new InvalidStateStoreError(`no store named "${name}" in this topology`, { context: { store: name } });
    }
    if (this.state !== 'RUNNING') {
      throw new InvalidStateStoreError(
        `store "${name}" cannot be queried while the application is ${this.state}${this.state === 'REBALANCING' ? ' (restoring or rebalancing; retry)' : ''}`,
        { context: { store: name } },
      );
    }
  }

  metrics(): StreamsMetrics {
    const t = this.#tasks.totals();
    return {
      processed: t.processed,
      skippedRecords: t.skippedRecords,
      droppedRecords: t.droppedRecords,
      droppedByReason: Object.fromEntries(t.droppedByReason),
      deadLettered: t.deadLettered,
      punctuations: t.punctuations,
      commits: this.#committer?.commits ?? 0,
      transactionRecoveries: this.#committer?.recoveries ?? 0,
      restoredRecords: this.#restored,
      produced: this.#collector?.sent ?? 0,
      activeTasks: this.#tasks.ids(),
    };
  }

  // ---- setup ----

  async #setup(): Promise<void> {
    // Persistent stores need a writable state directory: refuse at once, naming it, rather than at the first task.
    if ([...this.#topology.stores().values()].some((s) => s.builder.build().persistent)) {
      TaskStateManager.ensureStateDirectory(join(this.config.stateDir, this.config.applicationId));
    }
    const cfg = this.config;
    const appId = cfg.applicationId;
    const obs = this.#observability;
    const onLog = this.#diagnostics.onLog;
    this.#startPhase = `checking and creating topics at ${cfg.bootstrapServers}`;
    const topics = await prepareTopics(this.#topology, cfg, {
      timeoutMs: Math.min(30_000, cfg.startTimeoutMs),
      onLog,
    });
    this.#checkStarting();
    this.#plan = topics.plan;
    const resolveTopic = topics.resolveTopic;
    for (const [t, sub] of topics.topicToSubtopology) this.#topicToSub.set(t, sub);
    for (const [t, policy] of topics.resetPolicies) this.#resetPolicy.set(t, policy);
    const plan = this.#plan!;
    const partitionCounts = new Map(plan.partitionCounts);
    this.#collector = new KafkaRecordCollector(
      cfg.productionExceptionHandler,
      partitionCounts,
      (t) => plan.changelogTopics.has(t),
      { errorReportsOnly: this.#eos },
    );
    const totalTasks = [...plan.tasksPerSubtopology.values()].reduce((a, b) => a + b, 0);
    this.#env = {
      applicationId: appId,
      appConfigs: cfg as unknown as { [key: string]: unknown },
      defaultKeySerde: cfg.defaultKeySerde,
      defaultValueSerde: cfg.defaultValueSerde,
      defaultTimestampExtractor: cfg.defaultTimestampExtractor,
      deserializationExceptionHandler: cfg.deserializationExceptionHandler,
      processingExceptionHandler: cfg.processingExceptionHandler,
      productionExceptionHandler: cfg.productionExceptionHandler,
      collector: this.#collector,
      wallClockMs: Date.now,
      appStateDir: join(cfg.stateDir, appId),
      cacheMaxBytesPerTask: Math.floor(cfg.cacheMaxBytes / Math.max(1, totalTasks)),
      resolveTopic,
      logger: cfg.logger,
    };
    this.#producer = this.#createProducer();
    this.#consumer = new KafkaConsumerClient({
      bootstrapServers: cfg.bootstrapServers,
      groupId: appId,
      clientId: `${appId}-${cfg.instanceId}-consumer`,
      isolationLevel: this.#eos ? 'read_committed' : 'read_uncommitted',
      pollTimeoutMs: cfg.pollMs,
      autoOffsetReset: 'earliest',
      config: obs ? obs.clientConfig(cfg.consumerConfig) : cfg.consumerConfig,
      onRebalance: (e) => this.#onRebalance(e),
      onError: (e) => cfg.logger.warn(`consumer: ${e.message}`),
      onLog,
      ...(obs ? { onStatistics: obs.statistics.onConsumerStats } : {}),
    });
    this.#restorer = new CorruptionTolerantRestorer({
      bootstrapServers: cfg.bootstrapServers,
      applicationId: appId,
      recovery: () => this.#corruption!,
      readCommitted: cfg.processingGuarantee === 'exactly_once_v2',
      config: cfg.consumerConfig,
      adminConfig: cfg.adminConfig,
      logger: cfg.logger,
      ...(obs
        ? { listener: composeRestoreListeners(obs.restoreListener, this.#options.restoreListener) }
        : this.#options.restoreListener
          ? { listener: this.#options.restoreListener }
          : {}),
    });
    this.#startPhase = 'connecting the producer and the consumer';
    await Promise.all([this.#producer.connect(), this.#consumer.connect()]);
    this.#checkStarting();
    // Exactly-once: fences an older producer with the same transactional id and aborts what it left open.
    this.#startPhase = 'initializing transactions';
    if (this.#eos) await this.#producer.initTransactions();
    this.#checkStarting();
    this.#committer = new CommitCoordinator({
      exactlyOnce: this.#eos,
      logger: cfg.logger,
      tasks: this.#tasks,
      collector: this.#collector,
      consumer: () => this.#consumer!,
      producer: () => this.#producer!,
      admin: () => (this.#admin ??= KafkaAdmin.create(cfg.bootstrapServers, cfg.adminConfig)),
      replaceProducer: async () => {
        await this.#producer?.disconnect(5_000).catch(() => undefined);
        this.#producer = this.#createProducer();
        await this.#producer.connect();
        if (this.#eos) await this.#producer.initTransactions();
      },
      restore: async (tasks) => {
        this.#restored += await this.#restorer!.restore(tasks);
      },
      offsetMetadata: (topic, partition) => this.#control?.metadataOf(topic, partition),
    });
    this.#corruption = new CorruptedStateRecovery({
      exactlyOnce: this.#eos,
      logger: cfg.logger,
      tasks: this.#tasks,
      committer: () => this.#committer!,
      consumer: () => this.#consumer!,
      restore: async (tasks) => {
        this.#restored += await this.#restorer!.restore(tasks);
      },
    });
    if (cfg.applicationControl) {
      // Read the control topic before joining the group: an application paused before this instance started starts
      // paused.
      this.#startPhase = 'reading the control topic';
      await this.#startControl();
      this.#checkStarting();
    }
    this.#rebalanceTimer.waiting();
    this.#consumer.subscribe([...this.#topicToSub.keys()]);
  }

  async #startControl(): Promise<void> {
    const cfg = this.config;
    const channel = new ControlChannel({
      applicationId: cfg.applicationId,
      instanceId: cfg.instanceId,
      bootstrapServers: cfg.bootstrapServers,
      consumerConfig: cfg.consumerConfig,
      adminConfig: cfg.adminConfig,
      producerConfig: cfg.producerConfig,
      replicationFactor: cfg.replicationFactor,
      logger: cfg.logger,
    });
    this.#controlChannel = channel;
    await channel.start();
    const internal = new Set(this.#plan!.internalTopics.map((t) => t.topic));
    this.#control = new ControlApplier(channel, {
      logger: cfg.logger,
      tasks: this.#tasks,
      inputTopics: new Set([...this.#topicToSub.keys()].filter((t) => !internal.has(t))),
      repartitionTopics: new Set([...this.#topicToSub.keys()].filter((t) => internal.has(t))),
      appStateDir: join(cfg.stateDir, cfg.applicationId),
      restore: async (tasks) => {
        this.#restored += await this.#restorer!.restore(tasks);
      },
      consumer: () => this.#consumer!,
      admin: () => (this.#admin ??= KafkaAdmin.create(cfg.bootstrapServers, cfg.adminConfig)),
      committer: () => this.#committer!,
      pause: () => this.pause(),
      resume: () => this.resume(),
    });
    await this.#control.apply();
  }

  get #eos(): boolean {
    return this.config.processingGuarantee === 'exactly_once_v2';
  }

  #createProducer(): KafkaProducerClient {
    const cfg = this.config;
    const options: ProducerClientOptions = {
      bootstrapServers: cfg.bootstrapServers,
      clientId: `${cfg.applicationId}-${cfg.instanceId}-producer`,
      // Kafka Streams' exactly-once setting: a crashed instance's open transaction is aborted by the broker within
      // 10 s, so read_committed readers are not held up longer than that.
      config: {
        partitioner: 'murmur2_random',
        // Exactly-once: a failed send fails the transaction, so per-record delivery reports (the binding hands them
        // to JS one object each) are only needed for errors.
        ...(this.#eos ? { 'transaction.timeout.ms': 10_000, 'delivery.report.only.error': true } : {}),
        ...(this.#observability ? this.#observability.clientConfig(cfg.producerConfig) : cfg.producerConfig),
      },
      ...(this.#eos ? { transactionalId: `${cfg.applicationId}-${cfg.instanceId}` } : {}),
      onDelivery: this.#collector!.onDelivery,
      onError: (e) => cfg.logger.warn(`producer: ${e.message}`),
      onLog: this.#diagnostics.onLog,
      ...(this.#observability ? { onStatistics: this.#observability.statistics.onProducerStats } : {}),
    };
    const producer = this.#options.producerFactory?.(options) ?? new KafkaProducerClient(options);
    this.#collector!.attach(producer);
    return producer;
  }

  // ---- the processing loop ----

  async #runLoop(): Promise<void> {
    const cfg = this.config;
    const consumer = this.#consumer!;
    const collector = this.#collector!;
    const maxPoll = cfg.maxPollRecords;
    // Metrics: a few numbers per batch and per commit, never per record.
    const counters = this.#observability?.counters;
    try {
      while (!this.#stopRequested) {
        try {
          if (this.#rebalances.length > 0) await this.#handleRebalances();
          if (this.#control?.changed) await this.#control.apply();
          const committer = this.#committer!;
          if (this.#eos && !committer.inTransaction) await committer.ensureTransaction();
          const messages = await this.#consume(consumer, maxPoll);
          if (this.#stopRequested && messages.length === 0) break;
          this.#tasks.route(messages);
          if (messages.length > 0 && this.#rebalanceTimer.awaitingFirstRecord) this.#rebalanceTimer.firstRecord();
          let commitRequested = false;
          const now = Date.now();
          // Paused: records already fetched wait in their tasks' queues; nothing runs until resume().
          if (!this.#paused) {
            const started = counters ? performance.now() : 0;
            for (const task of this.#tasks.all()) {
              const taken = task.process(Number.POSITIVE_INFINITY);
              if (counters && taken > 0) counters.taskProcessed(task, now);
              task.punctuateWallClock(now);
              if (task.commitRequested) commitRequested = true;
            }
            if (counters) {
              counters.processSeconds += (performance.now() - started) / 1000;
              counters.batches++;
            }
          }
          collector.throwIfFailed();
          if (collector.backlogged) await collector.drain();
          if (commitRequested || now - committer.lastCommitMs >= cfg.commitIntervalMs) {
            const started = counters ? performance.now() : 0;
            await committer.commit();
            counters?.commitDone((performance.now() - started) / 1000);
          }
        } catch (e) {
          // Records the broker refused for good (back to the last commit, to hand each to the production handler) or
          // did not take in time (back to the last commit, to send them again).
          if (e instanceof ProductionError && collector.rewindRequested) {
            await this.#committer!.rewind(e);
            continue;
          }
          // Exactly-once: a fenced or failed producer (even when it fails a send in the middle of a batch) aborts the
          // transaction and rewinds the tasks; everything else stops the instance.
          if (await this.#corruption!.rebuildIfCorrupted(e)) continue; // a corrupted store is never a bad record
          if (!this.#eos || !isTransactionError(e)) throw e;
          await this.#committer!.recover(e);
        }
        if (this.state === 'REBALANCING' && this.#rebalances.length === 0 && this.#tasks.size > 0)
          this.#setState('RUNNING');
      }
    } catch (e) {
      await this.#fail(e);
    }
  }

  /** One batch; a transient consume error (a broker restarting, a leader moving) is logged and gives no records. */
  async #consume(consumer: KafkaConsumerClient, max: number): Promise<readonly ConsumedMessage[]> {
    try {
      return await consumer.consumeBatch(max);
    } catch (e) {
      if (!isTransientKafkaError(e)) throw e;
      this.config.logger.warn(`consume failed, polling again: ${e.message}`);
      await new Promise((r) => setTimeout(r, 100));
      return [];
    }
  }

  #onRebalance(event: RebalanceEvent): void {
    // While the loop runs, rebalances are handled between batches (after committing what was processed). Once it
    // has stopped (close, error) nobody would handle them and leaving the group would wait forever: give up at once.
    if (this.#loopStopped) {
      if (event.kind === 'assign') this.#consumer?.assign(event.partitions, event.protocol);
      else this.#consumer?.unassign(event.partitions, event.protocol);
      return;
    }
    this.#rebalances.push(event);
    this.#rebalanceArrivals.push(Date.now());
  }

  async #handleRebalances(): Promise<void> {
    while (this.#rebalances.length > 0) {
      const event = this.#rebalances.shift()!;
      const arrivedAt = this.#rebalanceArrivals.shift() ?? Date.now();
      if (this.#observability) this.#observability.counters.rebalances++;
      if (this.state === 'RUNNING') this.#setState('REBALANCING');
      if (event.kind === 'revoke') await this.#onRevoked(event);
      else await this.#onAssigned(event, arrivedAt);
    }
  }

  async #onRevoked(event: RebalanceEvent): Promise<void> {
    const affected = this.#tasks.reading(event.partitions);
    if (!event.lost && affected.length > 0) {
      // Commit before giving partitions up, so the next owner starts where this one stopped.
      const commitStart = Date.now();
      await this.#committer!.commit();
      this.#rebalanceTimer.revocationCommitted(Date.now() - commitStart);
    }
    for (const t of affected) this.#tasks.close(t, event.lost);
    if (event.lost && this.#eos && this.#committer!.inTransaction) {
      // The one open transaction also holds the work of the tasks we keep: abort it and rewind them.
      await this.#committer!.recover(
        new KafkaOperationError('partitions lost', { message: 'partitions lost', code: 0, isTxnRequiresAbort: true }),
      );
    }
    this.#consumer!.unassign(event.partitions, event.protocol);
    this.#committer!.forget(event.partitions);
    this.#control?.forget(event.partitions);
    this.#rebalanceTimer.waiting();
  }

  async #onAssigned(event: RebalanceEvent, arrivedAt: number): Promise<void> {
    const created: StreamTask[] = [];
    for (const tp of event.partitions) {
      const sub = this.#topicToSub.get(tp.topic);
      if (sub === undefined) continue;
      const id = `${sub}_${tp.partition}`;
      if (!this.#tasks.get(id)) created.push(this.#tasks.open(sub, tp.partition));
    }
    let storeOpenMs = 0;
    let restoreMs = 0;
    let restoredRecords = 0;
    if (created.length > 0) {
      const restoreStart = Date.now();
      restoredRecords = await this.#restorer!.restore(created);
      this.#restored += restoredRecords;
      storeOpenMs = this.#restorer!.lastStoreOpenMs;
      restoreMs = Date.now() - restoreStart - storeOpenMs;
      for (const t of created) t.initializeProcessors();
    }
    // A rewind these partitions have not had yet: committed now, so they are assigned at the rewound offsets.
    await this.#control?.onAssigned(event.partitions);
    const start = await startOffsets(event.partitions, this.#resetPolicy, this.#consumer!, this.config);
    if (start.length > 0) {
      // Some sources have their own reset policy and no committed offset: assign them at explicit offsets.
      const explicit = new Map(start.map((s) => [`${s.topic}:${s.partition}`, s.offset]));
      const rest = event.partitions.filter((p) => !explicit.has(`${p.topic}:${p.partition}`));
      if (event.protocol === 'COOPERATIVE') {
        this.#consumer!.assign(rest, event.protocol);
        this.#consumer!.assign(start, event.protocol);
        for (const s of start) await this.#consumer!.seek(s);
      } else {
        this.#consumer!.assignAt([...rest.map((p) => ({ ...p, offset: -1000 })), ...start]);
      }
    } else {
      this.#consumer!.assign(event.partitions, event.protocol);
    }
    if (this.#paused) this.#consumer!.pause(event.partitions);
    this.config.logger.info(
      `assigned ${event.partitions.length} partitions; active tasks: ${this.#tasks.ids().join(', ')}`,
    );
    this.#rebalanceTimer.assigned({
      arrivedAt,
      partitions: event.partitions.length,
      newTasks: created.length,
      storeOpenMs,
      restoreMs,
      restoredRecords,
    });
  }

  async #fail(e: unknown): Promise<void> {
    const error = e instanceof Error ? e : new Error(String(e));
    this.#error ??= error;
    this.config.logger.error(`stream processing failed, the instance goes to ERROR: ${error.message}`, { error });
    if (this.state !== 'PENDING_ERROR' && this.state !== 'ERROR' && isValidTransition(this.state, 'PENDING_ERROR')) {
      this.#setState('PENDING_ERROR');
    }
    this.#stopRequested = true;
    await this.#committer?.abandon();
    // Close tasks without committing: what they processed since the last commit is processed again after restart.
    this.#tasks.closeAll(true);
    await this.#shutdownClients();
    if (this.state === 'PENDING_ERROR') this.#setState('ERROR');
  }

  async #shutdownClients(): Promise<void> {
    this.#loopStopped = true;
    this.#tasks.closeAll(false);
    // Rebalances that arrived while stopping are answered now; the group moves on without us.
    this.#rebalanceArrivals.length = 0;
    for (const e of this.#rebalances.splice(0)) this.#onRebalance(e);
    const consumer = this.#consumer;
    const producer = this.#producer;
    this.#producer = undefined;
    await Promise.all([
      consumer?.disconnect().catch(() => undefined),
      producer
        ?.flush(10_000)
        .catch(() => undefined)
        .then(() => producer.disconnect()),
      this.#restorer?.close().catch(() => undefined),
      this.#controlChannel?.close(),
    ]);
    this.#controlChannel = undefined;
    this.#admin?.close();
    this.#admin = undefined;
    this.#consumer = undefined;
  }

  #setState(to: StreamsState): void {
    const from = this.#state$.value;
    if (from === to) return;
    if (!isValidTransition(from, to)) {
      this.config.logger.debug(`ignoring state transition ${from} -> ${to}`);
      return;
    }
    this.#state$.next(to);
    this.#changes$.next({ from, to });
  }

  #waitFor(target: StreamsState, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.unsubscribe();
        resolve(false);
      }, timeoutMs);
      const sub = this.#state$.subscribe((s) => {
        if (s === target) {
          clearTimeout(timer);
          queueMicrotask(() => sub.unsubscribe());
          resolve(true);
        }
      });
    });
  }
}
