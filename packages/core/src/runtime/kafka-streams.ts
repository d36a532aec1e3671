import { rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BehaviorSubject, Subject } from 'rxjs';
import type { Registry } from 'prom-client';
import type { Observable } from 'rxjs';
import { ConfigError, IllegalStateError, InvalidStateStoreError } from '@kaskade/processor-api';
import type { StateStore } from '@kaskade/processor-api';
import { TaskStateManager } from '@kaskade/state-store/internal';
import { parseStreamsConfig } from '../config/streams-config.js';
import type { StreamsConfig, StreamsConfigInput } from '../config/streams-config.js';
import { ClientDiagnostics } from '../kafka/client-diagnostics.js';
import type { QueryableStoreType } from './queryable-store-types.js';
import type { QueryableStoreName } from './queryable-store-name.js';
import type { Topology } from '../topology/topology.js';
import type { ControlApplier } from '../control/control-applier.js';
import type { ControlChannel } from '../control/control-channel.js';
import { startApplicationControl } from '../control/start-application-control.js';
import type { KafkaStreamsOptions } from './kafka-streams-options.js';
import { QueryableStoreProvider } from './queryable-store-provider.js';
import { streamsMetrics } from './streams-metrics.js';
import type { StreamsMetrics } from './streams-metrics.js';
import { withinStartDeadline } from './start-deadline.js';
import { prepareTopics } from './prepare-topics.js';
import { resolveGroupProtocol } from './resolve-group-protocol.js';
import { StreamThread } from './stream-thread.js';
import { isValidTransition } from './streams-state.js';
import type { StateChange, StreamsState } from './streams-state.js';
import type { StreamsObservability } from '../observability/streams-observability.js';
import type { InstanceStatusJson } from '../observability/instance-status.js';
import type { ThreadsObservability } from './threads/threads-observability.js';
import { loadStreamsApp } from './threads/streams-app.js';
import { StreamThreadPool } from './threads/stream-thread-pool.js';
import type { StreamsAppSource } from './threads/stream-thread-pool.js';
import { threadName } from './threads/thread-metadata.js';
import type { ThreadMetadata } from './threads/thread-metadata.js';

/** Each observed instance's status, for a stream thread's worker to hand to its instance (`observedStatus`). */
const observed = new WeakMap<KafkaStreams, StreamsObservability>();

/** The status an instance's observability reports (undefined: not observed); internal, for stream threads. */
export function observedStatus(streams: KafkaStreams): InstanceStatusJson | undefined {
  return observed.get(streams)?.status();
}

/**
 * What `fromModule` imports, here and in each thread's process: a URL as is, an absolute path as a file URL. A relative
 * path would resolve against Kaskade's own files, not the caller's: refused, naming the way to write it.
 */
function moduleSpecifier(module: URL | string): string {
  if (module instanceof URL) return module.href;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (module.startsWith('./') || module.startsWith('../')) {
    throw new ConfigError(
      `KafkaStreams.fromModule("${module}"): a relative path would be resolved against Kaskade's files, not yours; ` +
        "pass new URL('" +
        module +
        "', import.meta.url) or an absolute path",
      [{ field: 'module', message: 'must be a URL, an absolute path or a package specifier' }],
    );
  }
  return module;
}

/** How much longer than `startTimeoutMs` the instance waits for its stream threads to start (process start-up). */
const THREAD_START_SLACK_MS = 10_000;

/** Set by `fromModule` while it makes the instance: where the stream threads load the application from. */
let creatingFrom: StreamsAppSource | undefined;

export type { StreamsMetrics } from './streams-metrics.js';
export type { KafkaStreamsOptions, ProducerFactory } from './kafka-streams-options.js';
export type { ThreadMetadata } from './threads/thread-metadata.js';
export type { StreamsApp, StreamsAppFactory } from './threads/streams-app.js';

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
  /** Made by `start()` once the topics are prepared. */
  #thread: StreamThread | undefined;
  #loop: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #stopRequested = false;
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
  readonly #stores: QueryableStoreProvider;
  /** `fromModule`: the module the stream threads load. */
  readonly #source: StreamsAppSource | undefined;
  /** `numStreamThreads` > 1: the stream threads' workers (made by `start()`); no `#thread` then. */
  #pool: StreamThreadPool | undefined;
  /** `numStreamThreads` > 1 with `server` or `metrics`: the server aggregating the threads' metrics and status. */
  #threadsObservability: ThreadsObservability | undefined;

  /**
   * Makes an instance of the application a module builds: `module`'s export `exportName` (default `default`) is called
   * with `args` and returns `{ topology, config, options? }`. Needed for `numStreamThreads` > 1: each stream thread is
   * a worker thread that imports the module and calls the export with the same `args` (a structured-cloneable value),
   * since a topology and a config hold functions, which cannot be handed to another thread. The export must build the
   * same topology and `applicationId` on every call (the threads check); keep other side effects out of it.
   *
   * ```ts
   * // app.ts
   * export default (args: { topic: string }) => ({ topology: buildTopology(args.topic), config: { ...base, numStreamThreads: 2 } });
   * // main.ts
   * const streams = await KafkaStreams.fromModule(new URL('./app.js', import.meta.url), { args: { topic: 'orders' } });
   * await streams.start();
   * ```
   */
  static async fromModule(
    module: URL | string,
    options: { readonly exportName?: string; readonly args?: unknown } = {},
  ): Promise<KafkaStreams> {
    const source: StreamsAppSource = {
      module: moduleSpecifier(module),
      exportName: options.exportName ?? 'default',
      args: options.args,
    };
    const app = await loadStreamsApp(source.module, source.exportName, source.args);
    creatingFrom = source;
    try {
      return new KafkaStreams(app.topology, app.config, app.options);
    } finally {
      creatingFrom = undefined;
    }
  }

  /** Validates configuration and topology at once: a `ConfigError` or `TopologyError` names what is wrong. */
  constructor(topology: Topology, config: StreamsConfigInput, options: KafkaStreamsOptions = {}) {
    this.config = parseStreamsConfig(config);
    this.#topology = topology;
    this.#options = options;
    this.#source = creatingFrom;
    if (this.config.numStreamThreads > 1 && this.#source === undefined) {
      throw new ConfigError(
        'numStreamThreads > 1 needs the topology and config from a module that each stream thread imports: ' +
          'create the instance with KafkaStreams.fromModule(url)',
        [{ field: 'numStreamThreads', message: 'more than 1 needs KafkaStreams.fromModule(url)' }],
      );
    }
    if (this.config.numStreamThreads > 1 && this.config.metrics?.registry !== undefined) {
      throw new ConfigError(
        'metrics.registry cannot hold the metrics of stream threads: with numStreamThreads > 1 each thread keeps them ' +
          "in its worker process; serve them with `server` (its /metrics aggregates every thread's)",
        [{ field: 'metrics.registry', message: 'not supported with numStreamThreads > 1; use server' }],
      );
    }
    StreamThread.check(this.config, topology);
    this.#stores = new QueryableStoreProvider(
      topology,
      () => this.state,
      () => [...(this.#thread?.tasks.all() ?? []), ...(this.#thread?.global ? [this.#thread.global.task] : [])],
    );
  }

  async #createObservability(): Promise<void> {
    if (this.config.metrics === undefined && this.config.server === undefined) return;
    if (this.config.numStreamThreads > 1) {
      const { ThreadsObservability } = await import('./threads/threads-observability.js');
      this.#threadsObservability = new ThreadsObservability(this.config, {
        topology: this.#topology,
        state: () => this.state,
        isPaused: () => this.isPaused(),
        totals: () => this.metrics(),
        pause: () => this.pause(),
        resume: () => this.resume(),
        pool: () => this.#pool,
      });
      return;
    }
    const { StreamsObservability } = await import('../observability/streams-observability.js');
    this.#observability = new StreamsObservability(this.config, {
      applicationId: this.config.applicationId,
      instanceId: this.config.instanceId,
      topology: this.#topology,
      readCommitted: this.config.processingGuarantee === 'exactly_once_v2',
      state: () => this.state,
      isPaused: () => this.isPaused(),
      totals: () => this.metrics(),
      tasks: () => this.#thread?.tasks.all() ?? [],
      pause: () => this.pause(),
      resume: () => this.resume(),
    });
    observed.set(this, this.#observability);
  }

  /** Whichever observability the instance has (one thread's, or the stream threads' aggregation). */
  get #served(): StreamsObservability | ThreadsObservability | undefined {
    return this.#observability ?? this.#threadsObservability;
  }

  /**
   * The `http://host:port` of this instance's observability server (`server` in the config), once `start()` has
   * started it; undefined without one.
   */
  serverUrl(): string | undefined {
    return this.#served?.serverUrl;
  }

  /**
   * The prom-client registry holding this instance's metrics (`metrics` or `server` in the config), once `start()`
   * has begun; undefined without metrics.
   */
  get metricsRegistry(): Registry | undefined {
    return this.#served?.registry;
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
      await this.#served?.start();
    } catch (e) {
      // The address cannot be bound: nothing else was started; take the instance's series out of the registry.
      await this.#served?.stop();
      throw e;
    }
    if (this.state !== 'CREATED') {
      await this.#served?.stop(); // close() was called while the server started
      return;
    }
    this.#setState('REBALANCING');
    if (this.config.numStreamThreads > 1) return this.#startThreads();
    this.#starting = (async () => {
      await this.#setup();
      // close() may have been called while setting up: then there is nothing to run.
      if (!this.#stopRequested) this.#loop = this.#thread!.run().catch((e: unknown) => this.#fail(e));
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

  /** `numStreamThreads` > 1: starts the workers; each thread's start has its own `startTimeoutMs`. */
  async #startThreads(): Promise<void> {
    const pool = new StreamThreadPool({
      source: this.#source!,
      numStreamThreads: this.config.numStreamThreads,
      instanceId: this.config.instanceId,
      applicationId: this.config.applicationId,
      topologyDescription: this.#topology.describe().toString(),
      logger: this.config.logger,
      observed:
        this.#threadsObservability === undefined
          ? undefined
          : {
              ...(this.config.metrics?.statisticsIntervalMs === undefined
                ? {}
                : { statisticsIntervalMs: this.config.metrics.statisticsIntervalMs }),
            },
      onStateChange: () => this.#threadStateChanged(),
      onError: (e) => void this.#fail(e),
    });
    this.#pool = pool;
    this.#starting = pool.start(this.#paused);
    this.#starting.catch(() => undefined);
    try {
      // Each thread's start has its own deadline, whose error names the cause (a refused connection, ...); this one
      // catches what that cannot: a module that never finishes loading, a worker process that never answers.
      await withinStartDeadline(this.#starting, this.config.startTimeoutMs + THREAD_START_SLACK_MS, () => ({
        bootstrapServers: this.config.bootstrapServers,
        phase: `starting ${this.config.numStreamThreads} stream threads (loading ${this.#source!.module})`,
        cause: undefined,
      }));
    } catch (e) {
      if (this.#stopRequested && this.#error === undefined) {
        throw new IllegalStateError('start() was abandoned: close() was called while the stream threads started', {
          cause: e,
        });
      }
      await this.#fail(e);
      throw e;
    }
    this.#threadStateChanged();
  }

  /** The instance is RUNNING when every thread is, REBALANCING while any is not. */
  #threadStateChanged(): void {
    const states = this.#pool?.states ?? [];
    if (this.state !== 'REBALANCING' && this.state !== 'RUNNING') return;
    this.#setState(states.every((s) => s === 'RUNNING') ? 'RUNNING' : 'REBALANCING');
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
    this.#thread?.requestStop();
    const pool = this.#pool;
    const work = pool
      ? (async () => {
          // At once, also while the threads start: a thread still loading is ended, a starting one closes.
          const closed = await pool.close(timeoutMs);
          await this.#starting?.catch(() => undefined);
          if (!closed) this.config.logger.warn('a stream thread did not close within the timeout');
          this.#setState('NOT_RUNNING');
          await this.#served?.stop();
        })()
      : (async () => {
          // After a failed start, setup may still wait for an admin request; it creates nothing more once stopped.
          if (!failed) await this.#starting?.catch(() => undefined);
          await this.#loop?.catch(() => undefined);
          if (!failed && !this.#error && this.#thread) {
            try {
              await this.#thread.settleAsync(this.#thread.tasks.all());
              await this.#thread.committer.commit();
            } catch (e) {
              this.config.logger.error(`commit on close failed: ${(e as Error).message}`, { error: e });
            }
          }
          await this.#shutdownClients();
          this.#setState('NOT_RUNNING');
          await this.#served?.stop();
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
    if (this.#pool) {
      // Always to every thread: a thread may have been paused or resumed by itself (the control topic).
      this.#paused = true;
      this.#pool.pause();
      this.config.logger.info('processing paused');
      return;
    }
    if (this.#paused) return;
    this.#paused = true;
    // Stop fetching too: records would only pile up in the tasks' queues.
    const consumer = this.#thread?.consumer;
    if (consumer?.connected) consumer.pause(consumer.assignments());
    this.config.logger.info('processing paused');
  }

  /** Resumes processing after {@link pause}. @see org.apache.kafka.streams.KafkaStreams#resume */
  resume(): void {
    if (this.#pool) {
      this.#paused = false;
      this.#pool.resume();
      this.config.logger.info('processing resumed');
      return;
    }
    if (!this.#paused) return;
    this.#paused = false;
    const consumer = this.#thread?.consumer;
    // Not the partitions a topic's rate limit holds back: they resume once their share is back and their seek done.
    const limits = this.#thread?.topicRateLimits;
    if (consumer?.connected) consumer.resume(consumer.assignments().filter((tp) => !limits?.holds(tp)));
    this.#thread?.asyncFlow?.resumedAll(); // tasks still full are paused again after the next batch
    this.config.logger.info('processing resumed');
  }

  /** Whether processing is paused. @see org.apache.kafka.streams.KafkaStreams#isPaused */
  isPaused(): boolean {
    return this.#pool ? this.#pool.isPaused() : this.#paused;
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
    return this.#stores.store(name, type);
  }

  /** The store instances of each local task, by task id (for tests and tools). */
  localStores<S extends StateStore>(name: string): Map<string, S> {
    this.#checkQueryable(name);
    return this.#stores.localStores(name);
  }

  /** Stream threads' stores live in their workers: not queryable from here (yet). */
  #checkQueryable(store: string): void {
    if (this.config.numStreamThreads === 1) return;
    throw new InvalidStateStoreError(
      `store "${store}" cannot be queried: with numStreamThreads > 1 each thread's stores live in its worker, and ` +
        'interactive queries across stream threads are not supported yet (run one thread per process to query)',
      { context: { store } },
    );
  }

  /**
   * Each stream thread's state and tasks: one entry per thread (`numStreamThreads`), none before `start()`.
   *
   * @see org.apache.kafka.streams.KafkaStreams#metadataForLocalThreads
   */
  metadataForLocalThreads(): ThreadMetadata[] {
    if (this.#pool) return this.#pool.threads();
    if (!this.#thread) return [];
    const m = this.metrics();
    const name = threadName(this.config.applicationId, this.config.instanceId, 1);
    const sorted = (ids: readonly string[]): string[] => [...ids].sort();
    return [
      {
        threadName: name,
        threadState: this.state,
        activeTasks: sorted(m.activeTasks),
        standbyTasks: sorted(m.standbyTasks),
      },
    ];
  }

  /** Summed over the stream threads with `numStreamThreads` > 1 (as of their last report, at most 50 ms old). */
  metrics(): StreamsMetrics {
    return this.#pool ? this.#pool.metrics() : streamsMetrics(this.#thread);
  }

  async #setup(): Promise<void> {
    // Persistent stores need a writable state directory: refuse at once, naming it, rather than at the first task.
    if ([...this.#topology.stores().values()].some((s) => s.builder.build().persistent)) {
      TaskStateManager.ensureStateDirectory(join(this.config.stateDir, this.config.applicationId));
    }
    const cfg = this.config;
    this.#startPhase = `checking and creating topics at ${cfg.bootstrapServers}`;
    const topics = await prepareTopics(this.#topology, cfg, {
      timeoutMs: Math.min(30_000, cfg.startTimeoutMs),
      onLog: this.#diagnostics.onLog,
    });
    this.#checkStarting();
    const thread = new StreamThread({
      config: cfg,
      topology: this.#topology,
      topics,
      observability: this.#observability,
      diagnostics: this.#diagnostics,
      restoreListener: this.#options.restoreListener,
      producerFactory: this.#options.producerFactory,
      groupProtocol: await resolveGroupProtocol(cfg),
      host: {
        state: () => this.state,
        setState: (to: StreamsState) => this.#setState(to),
        isPaused: () => this.#paused,
        control: () => this.#control,
      },
    });
    this.#thread = thread;
    this.#startPhase = 'connecting the producer and the consumer';
    await thread.connect();
    this.#checkStarting();
    if (cfg.applicationControl) {
      // Read the control topic before joining the group: an application paused before it started starts paused.
      this.#startPhase = 'reading the control topic';
      const internal = new Set(topics.plan.internalTopics.map((t) => t.topic));
      this.#control = await startApplicationControl(
        cfg,
        {
          logger: cfg.logger,
          tasks: thread.tasks,
          inputTopics: new Set([...topics.topicToSubtopology.keys()].filter((t) => !internal.has(t))),
          repartitionTopics: new Set([...topics.topicToSubtopology.keys()].filter((t) => internal.has(t))),
          appStateDir: join(cfg.stateDir, cfg.applicationId),
          consumer: () => thread.consumer,
          admin: () => thread.admin(),
          committer: () => thread.committer,
          pause: () => this.pause(),
          resume: () => this.resume(),
        },
        (channel) => (this.#controlChannel = channel),
      );
      this.#checkStarting();
    }
    thread.subscribe();
  }

  /** Stream threads: the first failure's handling, which a later one waits for. */
  #failing: Promise<void> | undefined;

  async #fail(e: unknown): Promise<void> {
    // Stream threads: the first thread's failure stops the others; another's failing meanwhile changes nothing.
    if (this.#pool) return (this.#failing ??= this.#failOnce(e));
    return this.#failOnce(e);
  }

  async #failOnce(e: unknown): Promise<void> {
    const error = e instanceof Error ? e : new Error(String(e));
    this.#error ??= error;
    this.config.logger.error(`stream processing failed, the instance goes to ERROR: ${error.message}`, { error });
    if (this.state !== 'PENDING_ERROR' && this.state !== 'ERROR' && isValidTransition(this.state, 'PENDING_ERROR')) {
      this.#setState('PENDING_ERROR');
    }
    this.#stopRequested = true;
    if (this.#pool) {
      // One thread failed: the others close as usual (they commit what they processed), as Kafka Streams'
      // SHUTDOWN_CLIENT does.
      await this.#pool.close(60_000);
      if (this.state === 'PENDING_ERROR') this.#setState('ERROR');
      return;
    }
    this.#thread?.requestStop();
    await this.#thread?.committer.abandon();
    // Close tasks without committing: what they processed since the last commit is processed again after restart.
    this.#thread?.tasks.closeAll(true);
    await this.#shutdownClients();
    if (this.state === 'PENDING_ERROR') this.#setState('ERROR');
  }

  async #shutdownClients(): Promise<void> {
    await Promise.all([this.#thread?.shutdown(), this.#controlChannel?.close()]);
    this.#controlChannel = undefined;
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
