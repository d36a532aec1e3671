import { join } from 'node:path';
import {
  Headers,
  ProcessingError,
  PunctuationType,
  StreamsError,
  TopologyError,
  taskIdToString,
} from '@kaskade/processor-api';
import type { Cancellable, Punctuator, RecordMetadata, StateStore, TaskId } from '@kaskade/processor-api';
import { TaskStateManager, changelogTopicName } from '@kaskade/state-store/internal';
import type { ConsumedMessage, TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import type { Topology } from '../topology/topology.js';
import type { Subtopology } from '../topology/subtopology.js';
import type { AsyncTaskRunner } from './async/async-task-runner.js';
import { RecordContext } from './record-context.js';
import { RecordErrorHandler } from './record-error-handler.js';
import { RecordDeserializer } from './record-deserializer.js';
import { RecordQueue } from './record-queue.js';
import { PartitionGroup } from './partition-group.js';
import { ProcessorContextImpl } from './processor-context-impl.js';
import { PunctuationSchedule } from './punctuation-schedule.js';
import { ProcessorRuntimeNode, SinkRuntimeNode, SourceRuntimeNode } from './runtime-nodes.js';
import type { RuntimeNode } from './runtime-nodes.js';
import type { TaskEnvironment } from './task-environment.js';
import { TaskMetrics } from './task-metrics.js';

/**
 * One sub-topology working on one partition of its inputs. Owns its processor instances, its stores and its
 * stream time; everything it does is synchronous. The runtime feeds it raw messages and asks it to process, to
 * punctuate and to commit.
 *
 * @see org.apache.kafka.streams.processor.internals.StreamTask
 */
export class StreamTask {
  readonly id: TaskId;
  readonly idString: string;
  readonly subtopology: Subtopology;
  readonly metrics = new TaskMetrics();
  readonly droppedByReason = new Map<string, number>();
  readonly queues: RecordQueue[] = [];
  readonly #queueByTopic = new Map<string, RecordQueue>();
  #group: PartitionGroup | undefined;
  /** The record being processed, read by nodes, contexts and stores. */
  readonly context = new RecordContext();
  readonly #errors: RecordErrorHandler;
  readonly #env: TaskEnvironment;
  readonly #topology: Topology;
  readonly #nodes = new Map<string, RuntimeNode>();
  readonly #streamSchedule = new PunctuationSchedule();
  readonly #wallSchedule = new PunctuationSchedule();
  #stateManager: TaskStateManager | undefined;
  #processorsInitialized = false;
  /** Drop counters as of the last commit, restored when uncommitted work is dropped. */
  #droppedAtCommit: { count: number; byReason: ReadonlyMap<string, number> } = { count: 0, byReason: new Map() };
  #closed = false;
  /** Asynchronous operators' work, made by the first one's context; undefined in topologies without them. */
  asyncRunner: AsyncTaskRunner | undefined;

  /** Largest timestamp processed; never goes backwards. */
  streamTime = -1;
  commitRequested = false;
  /** True when records were processed (or punctuations ran) since the last commit. */
  commitNeeded = false;

  constructor(id: TaskId, subtopology: Subtopology, topology: Topology, env: TaskEnvironment) {
    this.id = id;
    this.idString = taskIdToString(id);
    this.subtopology = subtopology;
    this.#topology = topology;
    this.#env = env;
    this.#errors = new RecordErrorHandler(this.idString, id, env, this.context, this.metrics, (reason) =>
      this.recordDropped(reason),
    );
    this.#buildGraph();
  }

  /** The store manager (undefined for stateless tasks). */
  get stateManager(): TaskStateManager | undefined {
    return this.#stateManager;
  }

  /** Resolved input partitions of this task. */
  inputPartitions(): TopicPartition[] {
    return this.queues.map((q) => ({ topic: q.topic, partition: q.partition }));
  }

  /** Opens the task's stores (before restoration). */
  openStores(): void {
    if (this.subtopology.storeNames.length === 0 || this.#stateManager) return;
    // The state manager creates the directory (and says clearly when it cannot).
    const taskDir = join(this.#env.appStateDir, this.idString);
    const collector = this.#env.collector;
    this.#stateManager = new TaskStateManager({
      applicationId: this.#env.applicationId,
      taskId: this.id,
      taskDir,
      cacheMaxBytes: this.#env.cacheMaxBytesPerTask,
      streamTimeMs: () => this.streamTime,
      logChange: (topic, partition, key, value, timestamp) =>
        collector.send(topic, partition, key, value, timestamp, Headers.EMPTY),
      logger: (message) => this.#env.logger.warn(`task ${this.idString}: ${message}`),
      // Changelog records carry the timestamp of the record that caused the write, as in Kafka Streams.
      recordTimestampMs: () => this.context.timestamp,
      recordDropped: (store, reason) => this.recordDropped(`${reason} (store ${store})`),
    });
    for (const storeName of this.subtopology.storeNames) {
      const def = this.#topology.stores().get(storeName)!;
      const changelog = def.builder.loggingEnabled
        ? { topic: changelogTopicName(this.#env.applicationId, storeName), partition: this.id.partition }
        : undefined;
      this.#stateManager.register(def.builder, changelog);
    }
  }

  /** Creates and initializes the processors (after restoration, so `init` sees restored stores). */
  initializeProcessors(): void {
    if (this.#processorsInitialized) return;
    this.openStores();
    for (const node of this.#nodes.values()) {
      if (!(node instanceof ProcessorRuntimeNode)) continue;
      const def = this.#topology.nodes().get(node.name);
      if (def?.kind !== 'processor') continue;
      const processor = def.supplier.get();
      if (!processor || typeof processor.process !== 'function') {
        throw new TopologyError(`the supplier of processor "${node.name}" did not return a processor`, {
          context: { node: node.name },
        });
      }
      node.processor = processor;
      const context = new ProcessorContextImpl(this, node, this.#topology.storesOf(node.name));
      this.context.nodeName = node.name;
      processor.init?.(context);
    }
    this.context.nodeName = '';
    this.#processorsInitialized = true;
  }

  /** A connected store by name, for a processor's context. */
  store(name: string): StateStore | undefined {
    return this.#stateManager?.getStore(name);
  }

  /** Buffers raw messages of one of this task's partitions. */
  addMessage(message: ConsumedMessage): void {
    const q = this.#queueByTopic.get(message.topic);
    if (q) q.push(message);
  }

  queueFor(topic: string): RecordQueue | undefined {
    return this.#queueByTopic.get(topic);
  }

  /** Number of raw messages buffered across the task's partitions. */
  buffered(): number {
    let n = 0;
    for (const q of this.queues) n += q.buffered;
    return n;
  }

  /**
   * Processes up to `max` buffered records, always taking the partition whose head has the smallest timestamp.
   * Returns how many records were taken (processed or skipped). Throws a `StreamsError` when a handler says FAIL.
   */
  process(max: number): number {
    let taken = 0;
    const group = (this.#group ??= new PartitionGroup(this.queues, this.#env.idling));
    const now = this.#env.wallClockMs();
    this.asyncRunner?.applyCompletions();
    while (taken < max) {
      if (this.asyncRunner?.saturated) break;
      const q = group.next(now); // the oldest head, when the task is ready to process (task idling)
      if (q === undefined) break;
      taken++;
      this.#processHead(q);
    }
    return taken;
  }

  /** Fires due stream-time punctuations. Called after each record by `process`. */
  #maybePunctuateStreamTime(): void {
    if (this.#streamSchedule.due(this.streamTime)) {
      this.#streamSchedule.fire(this.streamTime, (item, ts) => this.#runPunctuator(item.nodeName, item.punctuator, ts));
    }
  }

  /** Fires due wall-clock punctuations; returns how many fired. */
  punctuateWallClock(nowMs: number): number {
    if (!this.#processorsInitialized || !this.#wallSchedule.due(nowMs)) return 0;
    return this.#wallSchedule.fire(nowMs, (item, ts) => this.#runPunctuator(item.nodeName, item.punctuator, ts));
  }

  schedule(nodeName: string, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    if (!(intervalMs >= 1)) {
      throw new StreamsError(`punctuation interval must be at least 1 ms, got ${intervalMs}`, {
        context: { node: nodeName, taskId: this.idString },
      });
    }
    if (type === PunctuationType.STREAM_TIME) {
      // Aligned to 0 as in Kafka Streams: fires with the first record, then at each multiple of the interval.
      return this.#streamSchedule.add(type, intervalMs, nodeName, punctuator, 0);
    }
    return this.#wallSchedule.add(type, intervalMs, nodeName, punctuator, this.#env.wallClockMs() + intervalMs);
  }

  recordMetadata(): RecordMetadata | null {
    return this.context.metadata();
  }

  recordDropped(reason: string): void {
    this.metrics.droppedRecords++;
    this.droppedByReason.set(reason, (this.droppedByReason.get(reason) ?? 0) + 1);
  }

  get env(): TaskEnvironment {
    return this.#env;
  }

  /** Offsets (next to read) of every partition that has taken records since the task started. */
  committableOffsets(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const q of this.queues) {
      if (q.committableOffset >= 0) out.push({ topic: q.topic, partition: q.partition, offset: q.committableOffset });
    }
    return this.asyncRunner ? this.asyncRunner.holdBack(out) : out; // never past unfinished asynchronous work
  }

  /** First half of a commit: push cached store writes into the write buffers and the changelog. */
  prepareCommit(): void {
    this.#stateManager?.flushCaches();
  }

  /** Last half of a commit, after output is flushed and offsets are committed: persist stores with their offsets. */
  postCommit(changelogOffsets: ReadonlyMap<string, number>): void {
    this.#stateManager?.commit(changelogOffsets);
    this.metrics.deadLetteredAtCommit = this.metrics.deadLettered;
    if (this.metrics.droppedRecords !== this.#droppedAtCommit.count) {
      this.#droppedAtCommit = { count: this.metrics.droppedRecords, byReason: new Map(this.droppedByReason) };
    }
    this.commitNeeded = false;
    this.commitRequested = false;
  }

  /** Drops uncommitted store writes and buffered input (exactly-once abort, or a failed task). */
  abortUncommitted(): void {
    this.#stateManager?.abort();
    // Dead letters since the last commit were aborted (or, at-least-once, not known to be delivered).
    this.metrics.deadLettered = this.metrics.deadLetteredAtCommit;
    // Drops since the last commit happen again when the input is processed again: count them once.
    if (this.metrics.droppedRecords !== this.#droppedAtCommit.count) {
      this.metrics.droppedRecords = this.#droppedAtCommit.count;
      this.droppedByReason.clear();
      for (const [reason, n] of this.#droppedAtCommit.byReason) this.droppedByReason.set(reason, n);
    }
    for (const q of this.queues) q.clear();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.asyncRunner?.abandon(); // its records were not committed: the next owner processes them
    let first: unknown;
    for (const node of this.#nodes.values()) {
      try {
        node.close();
      } catch (e) {
        first ??= e;
      }
    }
    this.#stateManager?.close();
    if (first) throw first;
  }

  /** See {@link AsyncTaskHost.handleProcessingFailure}. */
  handleProcessingFailure(m: ConsumedMessage, headers: Headers, error: unknown, userError: boolean): void {
    this.#errors.handleProcessingError(m, headers, error, userError);
  }

  // ---- internals ----

  #buildGraph(): void {
    const env = this.#env;
    const partition = this.id.partition;
    const nodes = this.subtopology.nodes;
    for (const def of nodes) {
      switch (def.kind) {
        case 'source': {
          const node = new SourceRuntimeNode(
            def.name,
            (def.options.keySerde as never) ?? env.defaultKeySerde,
            (def.options.valueSerde as never) ?? env.defaultValueSerde,
          );
          const deserializer = new RecordDeserializer(node, this.#onDeserializationError);
          const extractor = def.options.timestampExtractor ?? env.defaultTimestampExtractor;
          for (const t of def.topics) {
            const q = new RecordQueue(
              env.resolveTopic(t),
              partition,
              deserializer,
              extractor,
              this.#onInvalidTimestamp,
            );
            this.queues.push(q);
            this.#queueByTopic.set(q.topic, q);
          }
          this.#nodes.set(def.name, node);
          break;
        }
        case 'processor':
          this.#nodes.set(def.name, new ProcessorRuntimeNode(def.name, this.context));
          break;
        case 'sink':
          this.#nodes.set(
            def.name,
            new SinkRuntimeNode(
              def,
              (def.options.keySerde as never) ?? env.defaultKeySerde,
              (def.options.valueSerde as never) ?? env.defaultValueSerde,
              env.collector,
              this.#errors,
              env.resolveTopic,
            ),
          );
          break;
      }
    }
    for (const def of nodes) {
      const parent = this.#nodes.get(def.name)!;
      for (const child of this.#topology.childrenOf(def.name)) parent.addChild(this.#nodes.get(child)!);
    }
  }

  readonly #onDeserializationError = (m: ConsumedMessage, headers: Headers, nodeName: string, e: unknown): void => {
    this.#errors.handleDeserializationError(m, headers, nodeName, e);
  };

  readonly #onInvalidTimestamp = (m: ConsumedMessage, ts: number): void => {
    this.recordDropped('invalid-timestamp');
    this.#env.logger.warn(
      `task ${this.idString}: skipping record ${m.topic}-${m.partition}@${m.offset} with invalid timestamp ${ts}`,
    );
  };

  #processHead(q: RecordQueue): void {
    const ts = q.headTimestamp;
    const record = q.takeHead();
    const m = q.lastMessage!;
    if (ts > this.streamTime) this.streamTime = ts;
    const context = this.context;
    context.topic = q.topic;
    context.partition = q.partition;
    context.offset = m.offset;
    context.timestamp = ts;
    context.message = m;
    const source = q.deserializer.source;
    context.nodeName = source.name;
    try {
      source.process(record);
    } catch (e) {
      this.#errors.handleProcessingError(m, record.headers, e);
    }
    q.committableOffset = m.offset + 1;
    this.metrics.processed++;
    this.commitNeeded = true;
    this.#maybePunctuateStreamTime();
  }

  #runPunctuator(nodeName: string, punctuator: Punctuator, timestamp: number): void {
    const context = this.context;
    const prevTopic = context.topic;
    context.topic = undefined;
    context.timestamp = timestamp;
    context.nodeName = nodeName;
    this.metrics.punctuations++;
    this.commitNeeded = true;
    try {
      punctuator(timestamp);
    } catch (e) {
      throw e instanceof StreamsError
        ? e
        : new ProcessingError(
            `punctuation of "${nodeName}" in task ${this.idString} failed: ${(e as Error)?.message}`,
            {
              cause: e,
              context: { taskId: this.idString, node: nodeName },
            },
          );
    } finally {
      context.topic = prevTopic;
    }
  }
}
