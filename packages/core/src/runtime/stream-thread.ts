import { join } from 'node:path';
import { ProductionError } from '@kaskade/processor-api';
import type { StreamsConfig } from '../config/streams-config.js';
import type { ControlApplier } from '../control/control-applier.js';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import type { ClientDiagnostics } from '../kafka/client-diagnostics.js';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import { AsyncFlowControl } from './async/async-flow-control.js';
import type { StreamTask } from './stream-task.js';
import type { RebalanceEvent } from '../kafka/kafka-consumer-client.js';
import type { ProducerFactory } from './kafka-streams-options.js';
import type { ConsumedMessage, TopicPartition } from '../kafka/kafka-types.js';
import { isTransientKafkaError } from '../kafka/retry-kafka.js';
import { composeRestoreListeners } from '../observability/restore-progress-tracker.js';
import type { StreamsObservability } from '../observability/streams-observability.js';
import type { Topology } from '../topology/topology.js';
import type { StateRestoreListener } from './changelog-restorer.js';
import { CommitCoordinator } from './commit-coordinator.js';
import { GlobalStreamThread } from './global-stream-thread.js';
import { taskIdlingFor } from './consumer-lags.js';
import { consumerClientId, createConsumerClient } from './create-consumer-client.js';
import { CorruptedStateRecovery, CorruptionTolerantRestorer } from './corrupted-state-recovery.js';
import { KafkaRecordCollector } from './kafka-record-collector.js';
import type { PreparedTopics } from './prepare-topics.js';
import { RecordRateLimiter } from './record-rate-limiter.js';
import { createProducerClient } from './create-producer-client.js';
import { SpareMemberCheck } from './spare-member-check.js';
import { StreamsRebalanceListener } from './streams-rebalance-listener.js';
import type { StandbyTasks } from './standby-tasks.js';
import { standbyTasksFor } from './standby-tasks-for.js';
import { StreamsProducer, isTransactionError } from './streams-producer.js';
import type { StreamsState } from './streams-state.js';
import type { GroupProtocol } from './resolve-group-protocol.js';
import type { TaskEnvironment } from './task-environment.js';
import { TaskManager } from './task-manager.js';
import { TopicRateLimits } from './topic-rate-limits.js';

/** What the thread uses of the `KafkaStreams` instance that runs it. */
export interface StreamThreadHost {
  state(): StreamsState;
  setState(to: StreamsState): void;
  isPaused(): boolean;
  /** The application's control topic, when `applicationControl` is on (made after the thread). */
  control(): ControlApplier | undefined;
}

/** What a thread is made of: the prepared topics, and the instance's configuration, listeners and seams. */
export interface StreamThreadOptions {
  readonly config: StreamsConfig;
  readonly topology: Topology;
  readonly topics: PreparedTopics;
  readonly observability: StreamsObservability | undefined;
  readonly diagnostics: ClientDiagnostics;
  readonly restoreListener: StateRestoreListener | undefined;
  readonly producerFactory: ProducerFactory | undefined;
  /** The consumer group protocol, resolved at start (`resolveGroupProtocol`). */
  readonly groupProtocol: GroupProtocol;
  readonly host: StreamThreadHost;
}

/**
 * The instance's processing: one consumer in the application's group, the poll loop that routes records to the tasks,
 * runs them and their punctuations and schedules commits, and the rebalance callbacks, handled between batches. Owns
 * the Kafka clients, the tasks and the commit protocol; `KafkaStreams` around it owns the lifecycle.
 *
 * @see org.apache.kafka.streams.processor.internals.StreamThread
 */
export class StreamThread {
  readonly tasks: TaskManager;
  readonly consumer: ConsumerClient;
  readonly producer: StreamsProducer;
  readonly collector: KafkaRecordCollector;
  readonly committer: CommitCoordinator;
  /** `maxRecordsPerSecond`, when set. */
  readonly rateLimiter: RecordRateLimiter | undefined;
  /** `maxRecordsPerSecondByTopic`, when set. */
  readonly topicRateLimits: TopicRateLimits | undefined;
  /** `numStandbyReplicas` > 0: the standby tasks kept here. */
  readonly standbys: StandbyTasks | undefined;
  /** The global stores' updates, when the topology has global stores. */
  readonly global: GlobalStreamThread | undefined;
  readonly #config: StreamsConfig;
  readonly #options: StreamThreadOptions;
  readonly #host: StreamThreadHost;
  readonly #restorer: CorruptionTolerantRestorer;
  readonly #corruption: CorruptedStateRecovery;
  readonly #rebalance: StreamsRebalanceListener;
  readonly #env: TaskEnvironment;
  readonly #rebalances: RebalanceEvent[] = [];
  /** When each event of `#rebalances` arrived. */
  readonly #rebalanceArrivals: number[] = [];
  #admin: KafkaAdmin | undefined;
  #stopRequested = false;
  #stopped = false;
  /** Before any assignment: whether the group took this member in with none (no callback says so under KIP-848). */
  #spareCheck!: SpareMemberCheck;
  #shutdown: Promise<void> | undefined;
  /** Backpressure and polling for asynchronous operators: made when the first task with one runs. */
  #asyncFlow: AsyncFlowControl | undefined;
  // Rate limits and asynchronous backpressure pause partitions in the same consumer: neither resumes what the other
  // still holds.
  readonly #heldByAsync = (tp: TopicPartition): boolean => this.#asyncFlow?.holds(tp) ?? false;
  readonly #heldByRateLimit = (tp: TopicPartition): boolean => this.topicRateLimits?.holds(tp) ?? false;

  constructor(options: StreamThreadOptions) {
    const cfg = options.config;
    const { topics, observability: obs, host } = options;
    const plan = topics.plan;
    const eos = cfg.processingGuarantee === 'exactly_once_v2';
    this.#config = cfg;
    this.#options = options;
    this.#host = host;
    const rate = cfg.maxRecordsPerSecond;
    this.rateLimiter = rate === undefined ? undefined : new RecordRateLimiter(rate);
    const byTopic = cfg.maxRecordsPerSecondByTopic;
    this.topicRateLimits = byTopic === undefined ? undefined : new TopicRateLimits(byTopic);
    this.tasks = new TaskManager(
      options.topology,
      {
        env: () => this.#env,
        restore: (tasks) => this.#restorer.restore(tasks),
        consumer: () => this.consumer,
        taskOpening: (id) => this.standbys?.release(id),
      },
      cfg.logger,
    );
    const activeIds = (): string[] => this.tasks.ids();
    this.standbys = standbyTasksFor(cfg, options.topology, topics.topicToSubtopology, () => this.#env, activeIds);
    this.producer = new StreamsProducer({
      exactlyOnce: eos,
      logger: cfg.logger,
      create: () => createProducerClient(options, eos, this.collector, this.consumer),
    });
    this.collector = new KafkaRecordCollector(
      this.producer,
      cfg.productionExceptionHandler,
      new Map(plan.partitionCounts),
      (t) => plan.changelogTopics.has(t),
      { errorReportsOnly: eos },
    );
    // Task idling: lags from the consumer's statistics, only when some task has several input partitions.
    const idling = taskIdlingFor(cfg.maxTaskIdleMs, topics.topicToSubtopology, eos);
    const limits = this.topicRateLimits;
    if (idling && limits) idling.lags.heldBack = (topic, partition) => limits.holdsPartition(topic, partition);
    const totalTasks = [...plan.tasksPerSubtopology.values()].reduce((a, b) => a + b, 0);
    this.#env = {
      applicationId: cfg.applicationId,
      appConfigs: cfg as unknown as { [key: string]: unknown },
      defaultKeySerde: cfg.defaultKeySerde,
      defaultValueSerde: cfg.defaultValueSerde,
      defaultTimestampExtractor: cfg.defaultTimestampExtractor,
      deserializationExceptionHandler: cfg.deserializationExceptionHandler,
      processingExceptionHandler: cfg.processingExceptionHandler,
      productionExceptionHandler: cfg.productionExceptionHandler,
      collector: this.collector,
      wallClockMs: Date.now,
      appStateDir: join(cfg.stateDir, cfg.applicationId),
      cacheMaxBytesPerTask: Math.floor(cfg.cacheMaxBytes / Math.max(1, totalTasks)),
      resolveTopic: topics.resolveTopic,
      logger: cfg.logger,
      ...(idling ? { idling } : {}),
      globalStore: (name) => this.global?.task.store(name),
    };
    this.global = GlobalStreamThread.create(cfg, options.topology, this.#env);
    this.consumer = createConsumerClient(options, eos, idling, (e) => this.#onRebalance(e));
    const listener = options.restoreListener;
    const restoreListener = obs ? composeRestoreListeners(obs.restoreListener, listener) : listener;
    this.#restorer = CorruptionTolerantRestorer.forConfig(cfg, () => this.#corruption, restoreListener);
    this.committer = new CommitCoordinator({
      exactlyOnce: eos,
      logger: cfg.logger,
      tasks: this.tasks,
      collector: this.collector,
      producer: this.producer,
      consumer: () => this.consumer,
      admin: () => this.admin(),
      offsetMetadata: (topic, partition) => host.control()?.metadataOf(topic, partition),
    });
    this.#corruption = new CorruptedStateRecovery({
      exactlyOnce: eos,
      logger: cfg.logger,
      tasks: this.tasks,
      committer: () => this.committer,
    });
    this.#rebalance = new StreamsRebalanceListener({
      config: cfg,
      tasks: this.tasks,
      committer: this.committer,
      consumer: this.consumer,
      topicToSubtopology: topics.topicToSubtopology,
      resetPolicies: topics.resetPolicies,
      lastStoreOpenMs: () => this.#restorer.lastStoreOpenMs,
      isPaused: () => host.isPaused(),
      control: () => host.control(),
      asyncFlow: () => this.#asyncFlow,
      topicRateLimits: this.topicRateLimits,
      settleAsync: (tasks) => this.settleAsync(tasks),
    });
  }

  /**
   * What the thread will need, checked when the instance is constructed rather than at start (invalid configuration
   * fails construction): a valid topology, and rate limits only on its source topics.
   */
  static check(config: StreamsConfig, topology: Topology): void {
    topology.subtopologies();
    TopicRateLimits.check(config.maxRecordsPerSecondByTopic, topology);
    CorruptionTolerantRestorer.check(config.nativeClient);
  }

  /** An admin client kept open for the thread's lifetime (offset look-ups at every exactly-once commit, rewinds). */
  admin(): KafkaAdmin {
    return (this.#admin ??= KafkaAdmin.create(this.#config.bootstrapServers, this.#config.adminConfig));
  }

  /** Connects the producer (exactly-once: fencing older ones with its transactional id) and the consumer. */
  async connect(): Promise<void> {
    await Promise.all([this.producer.connect(), this.consumer.connect()]);
    await this.global?.bootstrap(this.admin()); // the whole global tables before any task starts
  }

  /** Joins the group: rebalances follow, handled by the loop. */
  subscribe(): void {
    this.#rebalance.waiting();
    this.consumer.subscribe([...this.#options.topics.topicToSubtopology.keys()]);
    const cfg = this.#config;
    this.#spareCheck = new SpareMemberCheck(() => this.admin(), cfg.applicationId, consumerClientId(cfg), Date.now());
    this.standbys?.start();
  }

  /** Ends the loop after the batch under way. */
  requestStop(): void {
    this.#stopRequested = true;
  }

  /**
   * The poll loop, until {@link requestStop}. Rejects with the error that must stop the instance; what it recovers
   * from (a failed transaction, refused records, a corrupted store) it handles itself.
   */
  async run(): Promise<void> {
    const cfg = this.#config;
    const consumer = this.consumer;
    const collector = this.collector;
    const committer = this.committer;
    const eos = this.producer.exactlyOnce;
    const maxPoll = cfg.maxPollRecords;
    const host = this.#host;
    // Metrics: a few numbers per batch and per commit, never per record.
    const counters = this.#options.observability?.counters;
    while (!this.#stopRequested) {
      try {
        if (this.#rebalances.length > 0) await this.#handleRebalances();
        const control = host.control();
        if (control?.changed) await control.apply();
        if (eos && !committer.inTransaction) await committer.ensureTransaction();
        // Rate limits: a few calls per batch, none per record; without them the loop pays nothing.
        this.topicRateLimits?.beforeBatch(consumer, Date.now(), host.isPaused(), this.#heldByAsync);
        const limit = this.rateLimiter ? await this.rateLimiter.permits(maxPoll) : maxPoll;
        if (this.global) await this.global.poll(Date.now());
        const consumed = await this.#consume(consumer, limit);
        const messages = this.topicRateLimits ? this.topicRateLimits.admit(consumed, consumer, Date.now()) : consumed;
        this.rateLimiter?.taken(messages.length);
        if (this.#stopRequested && messages.length === 0) break;
        this.tasks.route(messages);
        if (messages.length > 0) this.#rebalance.recordsArrived();
        let commitRequested = false;
        const now = Date.now();
        // Paused: records already fetched wait in their tasks' queues; nothing runs until resume().
        if (!host.isPaused()) {
          const started = counters ? performance.now() : 0;
          let uncommittedBytes = 0;
          for (const task of this.tasks.all()) {
            const taken = task.process(Number.POSITIVE_INFINITY);
            if (counters && taken > 0) counters.taskProcessed(task, now);
            task.punctuateWallClock(now);
            if (task.commitRequested) commitRequested = true;
            uncommittedBytes += task.stateManager?.uncommittedBytes ?? 0;
          }
          // Store writes wait in memory for the commit: past the bound, commit now rather than at the interval.
          if (uncommittedBytes > cfg.stateStoreUncommittedMaxBytes) commitRequested = true;
          if (counters) {
            counters.processSeconds += (performance.now() - started) / 1000;
            counters.batches++;
          }
        }
        if (this.#asyncFlow || (this.#asyncFlow = this.#newAsyncFlow())) {
          this.#asyncFlow.afterBatch(this.tasks.all(), consumer, host.isPaused(), this.#heldByRateLimit);
        }
        collector.throwIfFailed();
        if (collector.backlogged) await collector.drain();
        if (commitRequested || now - committer.lastCommitMs >= cfg.commitIntervalMs) {
          const started = counters ? performance.now() : 0;
          await this.#asyncFlow?.beforeCommit(this.tasks.all());
          await committer.commit();
          counters?.commitDone((performance.now() - started) / 1000);
        }
      } catch (e) {
        // Records the broker refused for good (back to the last commit, to hand each to the production handler) or
        // did not take in time (back to the last commit, to send them again).
        if (e instanceof ProductionError && collector.rewindRequested) {
          await committer.rewind({ kind: 'records-refused', error: e });
          continue;
        }
        // Exactly-once: a fenced or failed producer (even when it fails a send in the middle of a batch) aborts the
        // transaction and rewinds the tasks; everything else stops the instance.
        if (await this.#corruption.rebuildIfCorrupted(e)) continue; // a corrupted store is never a bad record
        if (!eos || !isTransactionError(e)) throw e;
        await committer.rewind({ kind: 'transaction-failed', error: e });
      }
      // RUNNING once the group's assignment is handled — with no task too, as in Kafka Streams (an instance beyond
      // the number of tasks is a running spare), but not before the first assignment. An empty assignment event does
      // not settle it (under KIP-848 a first assignment can come empty, then the real one): the group's word does.
      if (
        host.state() === 'REBALANCING' &&
        this.#rebalances.length === 0 &&
        (this.tasks.size > 0 || this.#spareCheck.isSpare(Date.now()))
      ) {
        host.setState('RUNNING');
      }
    }
  }

  /**
   * Closes the tasks (committed ones stay as they are; what was not committed is dropped), answers the rebalances that
   * are still queued and disconnects the clients.
   */
  shutdown(): Promise<void> {
    return (this.#shutdown ??= this.#shutDown());
  }

  async #shutDown(): Promise<void> {
    this.#stopped = true;
    this.tasks.closeAll(false);
    // Rebalances that arrived while stopping are answered now; the group moves on without us.
    this.#rebalanceArrivals.length = 0;
    for (const e of this.#rebalances.splice(0)) this.#onRebalance(e);
    await Promise.all([
      this.consumer.disconnect().catch(() => undefined),
      this.producer.close(),
      this.#restorer.close().catch(() => undefined),
      this.standbys?.close(),
      this.global?.close(),
    ]);
    this.#admin?.close();
    this.#admin = undefined;
  }

  /** The asynchronous operators' flow control, once a task has one. */
  get asyncFlow(): AsyncFlowControl | undefined {
    return this.#asyncFlow;
  }

  /** Before a commit that gives tasks up (rebalance, close): lets their asynchronous calls finish, up to the timeout. */
  async settleAsync(tasks: readonly StreamTask[]): Promise<void> {
    if (this.#asyncFlow === undefined) return;
    // Results forwarded while settling are sent: under exactly-once, into the transaction this commit closes.
    if (this.producer.exactlyOnce) await this.committer.ensureTransaction();
    await AsyncFlowControl.drain(tasks, this.#config.asyncDrainTimeoutMs, this.#config.logger);
  }

  /** Made once a task has an asynchronous operator (a loop over the tasks per batch until then, none after). */
  #newAsyncFlow(): AsyncFlowControl | undefined {
    if (!this.tasks.all().some((t) => t.asyncRunner !== undefined)) return undefined;
    return new AsyncFlowControl(this.#options.topology, this.#config.pollMs, this.producer.exactlyOnce);
  }

  /** One batch; a transient consume error (a broker restarting, a leader moving) is logged and gives no records. */
  async #consume(consumer: ConsumerClient, max: number): Promise<readonly ConsumedMessage[]> {
    try {
      return await consumer.consumeBatch(max);
    } catch (e) {
      if (!isTransientKafkaError(e)) throw e;
      this.#config.logger.warn(`consume failed, polling again: ${e.message}`);
      await new Promise((r) => setTimeout(r, 100));
      return [];
    }
  }

  #onRebalance(event: RebalanceEvent): void {
    // While the loop runs, rebalances are handled between batches (after committing what was processed). Once it
    // has stopped (close, error) nobody would handle them and leaving the group would wait forever: give up at once.
    if (this.#stopped) {
      try {
        if (event.kind === 'assign') this.consumer.assign(event.partitions, event.protocol);
        else this.consumer.unassign(event.partitions, event.protocol);
      } catch (e) {
        // Thrown in librdkafka's callback it would end the process; the consumer is closing anyway.
        this.#config.logger.warn(`answering a rebalance while stopping failed: ${(e as Error).message}`);
      }
      return;
    }
    this.#rebalances.push(event);
    this.#rebalanceArrivals.push(Date.now());
  }

  async #handleRebalances(): Promise<void> {
    const counters = this.#options.observability?.counters;
    while (this.#rebalances.length > 0) {
      const event = this.#rebalances.shift()!;
      const arrivedAt = this.#rebalanceArrivals.shift() ?? Date.now();
      if (counters) counters.rebalances++;
      if (this.#host.state() === 'RUNNING') this.#host.setState('REBALANCING');
      if (event.kind === 'revoke') await this.#rebalance.onRevoked(event);
      else await this.#rebalance.onAssigned(event, arrivedAt);
    }
    this.standbys?.refreshSoon(); // the group's assignment changed: so may the standbys' placement
  }
}
