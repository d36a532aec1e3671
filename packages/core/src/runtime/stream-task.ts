import { join } from 'node:path';
import {
  Headers,
  ProcessingError,
  ProductionError,
  PunctuationType,
  Record,
  SerializationError,
  StreamsError,
  TopologyError,
  taskIdToString,
} from '@kaskade/processor-api';
import type {
  Cancellable,
  Punctuator,
  RecordMetadata,
  StateStore,
  TaskId,
  TimestampExtractor,
} from '@kaskade/processor-api';
import { TaskStateManager } from '@kaskade/state-store/internal';
import type { HandlerResponse, RawSourceRecord, SourceRecordContext } from '../errors/exception-handlers.js';
import { UndeliverableRecordError } from '../errors/undeliverable-record-error.js';
import { ExtractRecordMetadataTimestamp } from '../time/extract-record-metadata-timestamp.js';
import type { ConsumedMessage, TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import { fromWireHeaders } from '../kafka/message-headers.js';
import type { Topology } from '../topology/topology.js';
import type { Subtopology } from '../topology/subtopology.js';
import { AsyncTaskRunner } from './async/async-task-runner.js';
import { PartitionQueue } from './partition-queue.js';
import { ProcessorContextImpl } from './processor-context-impl.js';
import { PunctuationSchedule } from './punctuation-schedule.js';
import { ProcessorRuntimeNode, SinkRuntimeNode, SourceRuntimeNode } from './runtime-nodes.js';
import type { NodeHost, RuntimeNode } from './runtime-nodes.js';
import type { TaskEnvironment } from './task-environment.js';
import { TaskMetrics } from './task-metrics.js';

const FAIL_RESPONSE: HandlerResponse = Object.freeze({ action: 'FAIL' });

/** Name of a store's changelog topic, as Kafka Streams names it. */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}

interface SourceInfo {
  readonly node: SourceRuntimeNode;
  readonly extractor: TimestampExtractor;
  /** The extractor uses the record's own timestamp: call it only for negative ones (no allocation per record). */
  readonly ownTimestamp: boolean;
}

/**
 * One sub-topology working on one partition of its inputs. Owns its processor instances, its stores and its
 * stream time; everything it does is synchronous. The runtime feeds it raw messages and asks it to process, to
 * punctuate and to commit.
 *
 * @see org.apache.kafka.streams.processor.internals.StreamTask
 */
export class StreamTask implements NodeHost {
  readonly id: TaskId;
  readonly idString: string;
  readonly subtopology: Subtopology;
  readonly metrics = new TaskMetrics();
  readonly droppedByReason = new Map<string, number>();
  readonly queues: PartitionQueue[] = [];
  readonly #queueByTopic = new Map<string, PartitionQueue>();
  readonly #env: TaskEnvironment;
  readonly #topology: Topology;
  readonly #sources: SourceInfo[] = [];
  readonly #nodes = new Map<string, RuntimeNode>();
  readonly #streamSchedule = new PunctuationSchedule();
  readonly #wallSchedule = new PunctuationSchedule();
  #stateManager: TaskStateManager | undefined;
  #processorsInitialized = false;
  /** Drop counters as of the last commit, restored when uncommitted work is dropped. */
  #droppedAtCommit: { count: number; byReason: ReadonlyMap<string, number> } = { count: 0, byReason: new Map() };
  #closed = false;
  /** Asynchronous operators' work; undefined (and never looked at per record) in topologies without them. */
  #async: AsyncTaskRunner | undefined;

  /** Largest timestamp processed; never goes backwards. */
  streamTime = -1;
  commitRequested = false;
  /** True when records were processed (or punctuations ran) since the last commit. */
  commitNeeded = false;

  // NodeHost: the record being processed, read by contexts without allocating per record.
  currentNodeName = '';
  currentTopic: string | undefined = undefined;
  currentPartition = -1;
  currentOffset = -1;
  /** Timestamp of the record being processed, or stream time in a punctuation. */
  currentTimestamp = -1;
  /** The raw message being processed (asynchronous work keeps it for the exception handler). */
  currentMessage: ConsumedMessage | undefined = undefined;

  constructor(id: TaskId, subtopology: Subtopology, topology: Topology, env: TaskEnvironment) {
    this.id = id;
    this.idString = taskIdToString(id);
    this.subtopology = subtopology;
    this.#topology = topology;
    this.#env = env;
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
      recordTimestampMs: () => this.currentTimestamp,
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
      this.currentNodeName = node.name;
      processor.init?.(context);
    }
    this.currentNodeName = '';
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

  queueFor(topic: string): PartitionQueue | undefined {
    return this.#queueByTopic.get(topic);
  }

  /** Number of raw messages buffered across the task's partitions. */
  buffered(): number {
    let n = 0;
    for (const q of this.queues) n += q.buffered + (q.headMessage ? 1 : 0);
    return n;
  }

  /**
   * Processes up to `max` buffered records, always taking the partition whose head has the smallest timestamp.
   * Returns how many records were taken (processed or skipped). Throws a `StreamsError` when a handler says FAIL.
   */
  process(max: number): number {
    let taken = 0;
    const queues = this.queues;
    const single = queues.length === 1 ? queues[0]! : undefined;
    const async = this.#async;
    if (async !== undefined) async.applyCompletions();
    while (taken < max) {
      if (async !== undefined && async.saturated) break;
      let q: PartitionQueue | undefined;
      if (single) {
        if (single.headMessage === undefined && !this.#advanceHead(single)) break;
        q = single;
      } else {
        for (let i = 0; i < queues.length; i++) {
          const c = queues[i]!;
          if (c.headMessage === undefined && !this.#advanceHead(c)) continue;
          if (q === undefined || c.headTimestamp < q.headTimestamp) q = c;
        }
        if (q === undefined) break;
      }
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
    if (this.currentTopic === undefined) return null;
    return { topic: this.currentTopic, partition: this.currentPartition, offset: this.currentOffset };
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
      if (q.committableOffset < 0) continue;
      // Never past the oldest record with asynchronous work unfinished.
      const offset = this.#async ? this.#async.committableOffset(q.topic, q.committableOffset) : q.committableOffset;
      out.push({ topic: q.topic, partition: q.partition, offset });
    }
    return out;
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
    this.#async?.abandon();
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
    // Work still in flight is given up: its records were not committed, the next owner processes them.
    this.#async?.abandon();
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

  /** The task's asynchronous runner, made when the first asynchronous operator initializes. */
  asyncRunner(): AsyncTaskRunner {
    return (this.#async ??= new AsyncTaskRunner(
      this,
      this.#env.appConfigs['processingGuarantee'] === 'exactly_once_v2',
    ));
  }

  /** The asynchronous runner when the topology has asynchronous operators. */
  get asyncRunnerIfAny(): AsyncTaskRunner | undefined {
    return this.#async;
  }

  /** See {@link AsyncTaskHost.handleProcessingFailure}. */
  handleProcessingFailure(m: ConsumedMessage, headers: Headers, error: unknown, userError: boolean): void {
    this.#handleProcessingError(m, headers, error, userError);
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
          const index = this.#sources.length;
          const extractor = def.options.timestampExtractor ?? env.defaultTimestampExtractor;
          this.#sources.push({ node, extractor, ownTimestamp: extractor instanceof ExtractRecordMetadataTimestamp });
          for (const t of def.topics) {
            const q = new PartitionQueue(env.resolveTopic(t), partition, index);
            this.queues.push(q);
            this.#queueByTopic.set(q.topic, q);
          }
          this.#nodes.set(def.name, node);
          break;
        }
        case 'processor':
          this.#nodes.set(def.name, new ProcessorRuntimeNode(def.name, this));
          break;
        case 'sink':
          this.#nodes.set(
            def.name,
            new SinkRuntimeNode(
              def,
              (def.options.keySerde as never) ?? env.defaultKeySerde,
              (def.options.valueSerde as never) ?? env.defaultValueSerde,
              env.collector,
              this,
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

  /** Deserializes the next raw message of `q` into its head; skips (per handler) what cannot be used. */
  #advanceHead(q: PartitionQueue): boolean {
    for (;;) {
      const m = q.poll();
      if (m === undefined) return false;
      const source = this.#sources[q.sourceIndex]!;
      const headers = m.headers === undefined ? Headers.EMPTY : fromWireHeaders(m.headers);
      let key: unknown;
      let value: unknown;
      try {
        key = m.key == null ? null : source.node.keySerde.deserialize(q.topic, m.key as Buffer, headers);
        value = m.value == null ? null : source.node.valueSerde.deserialize(q.topic, m.value, headers);
      } catch (e) {
        this.#handleDeserializationError(m, headers, source.node.name, e);
        q.committableOffset = m.offset + 1;
        continue;
      }
      let ts = m.timestamp ?? -1;
      if (!source.ownTimestamp || ts < 0) {
        ts = source.extractor.extract(
          { topic: q.topic, partition: q.partition, offset: m.offset, timestamp: ts, key, value, headers },
          q.partitionTime,
        );
      }
      if (!(ts >= 0)) {
        // A negative timestamp means "skip" (the failing extractor throws instead).
        this.recordDropped('invalid-timestamp');
        this.#env.logger.warn(
          `task ${this.idString}: skipping record ${q.topic}-${q.partition}@${m.offset} with invalid timestamp ${ts}`,
        );
        q.committableOffset = m.offset + 1;
        continue;
      }
      q.head = new Record(key, value, ts, headers);
      q.headTimestamp = ts;
      q.headMessage = m;
      return true;
    }
  }

  #processHead(q: PartitionQueue): void {
    const record = q.head as Record<unknown, unknown>;
    const m = q.headMessage!;
    q.head = undefined;
    q.headMessage = undefined;
    const ts = q.headTimestamp;
    if (ts > q.partitionTime) q.partitionTime = ts;
    if (ts > this.streamTime) this.streamTime = ts;
    this.currentTopic = q.topic;
    this.currentPartition = q.partition;
    this.currentOffset = m.offset;
    this.currentTimestamp = ts;
    this.currentMessage = m;
    const source = this.#sources[q.sourceIndex]!.node;
    this.currentNodeName = source.name;
    try {
      source.process(record);
    } catch (e) {
      this.#handleProcessingError(m, record.headers, e);
    }
    q.committableOffset = m.offset + 1;
    this.metrics.processed++;
    this.commitNeeded = true;
    this.#maybePunctuateStreamTime();
  }

  #runPunctuator(nodeName: string, punctuator: Punctuator, timestamp: number): void {
    const prevTopic = this.currentTopic;
    this.currentTopic = undefined;
    this.currentTimestamp = timestamp;
    this.currentNodeName = nodeName;
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
      this.currentTopic = prevTopic;
    }
  }

  #raw(m: ConsumedMessage, headers: Headers): RawSourceRecord {
    return {
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      timestamp: m.timestamp ?? -1,
      key: (m.key as Buffer | null | undefined) ?? null,
      value: m.value,
      headers,
    };
  }

  #handleDeserializationError(m: ConsumedMessage, headers: Headers, nodeName: string, e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    const context = { taskId: this.id, nodeName, topic: m.topic, partition: m.partition, offset: m.offset };
    const response = this.#env.deserializationExceptionHandler.handle(context, this.#raw(m, headers), error);
    const source = { topic: m.topic, partition: m.partition, offset: m.offset };
    this.#applyResponse(
      response,
      m.timestamp,
      () => {
        throw new SerializationError(
          `cannot deserialize record ${m.topic}-${m.partition}@${m.offset} (source "${nodeName}", task ${this.idString}): ${error.message}`,
          {
            cause: error,
            context: {
              topic: m.topic,
              partition: m.partition,
              offset: m.offset,
              taskId: this.idString,
              node: nodeName,
            },
          },
        );
      },
      source,
    );
  }

  #handleProcessingError(m: ConsumedMessage, headers: Headers, e: unknown, userError = false): void {
    const error = e instanceof Error ? e : new Error(String(e));
    const nodeName = this.currentNodeName;
    if (!userError && error instanceof StreamsError && !(error instanceof SerializationError)) {
      // Errors of the framework itself (a missing store, a closed store) are not the record's fault.
      throw error;
    }
    const context = { taskId: this.id, nodeName, topic: m.topic, partition: m.partition, offset: m.offset };
    const response = this.#env.processingExceptionHandler.handle(context, this.#raw(m, headers), error);
    this.#applyResponse(response, m.timestamp, () => {
      throw new ProcessingError(
        `processor "${nodeName}" failed on record ${m.topic}-${m.partition}@${m.offset} (task ${this.idString}): ${error.message}`,
        {
          cause: error,
          context: { topic: m.topic, partition: m.partition, offset: m.offset, taskId: this.idString, node: nodeName },
        },
      );
    });
  }

  #applyResponse(
    response: HandlerResponse,
    timestamp: number | undefined,
    fail: () => never,
    source?: SourceRecordContext,
  ): void {
    this.#sendDeadLetters(response, timestamp, source);
    if (response.action === 'FAIL') fail();
    this.metrics.skippedRecords++;
  }

  #sendDeadLetters(response: HandlerResponse, timestamp: number | undefined, source?: SourceRecordContext): void {
    for (const r of response.deadLetterRecords ?? []) {
      try {
        this.#env.collector.send(r.topic, -1, r.key, r.value, timestamp ?? this.#env.wallClockMs(), r.headers);
      } catch (e) {
        if (!(e instanceof UndeliverableRecordError)) throw e;
        // A dead letter that cannot be delivered is a production error like any other (and is not counted as sent).
        this.handleProductionError(this.currentNodeName, r.topic, -1, e, undefined, source);
        continue;
      }
      this.metrics.deadLettered++;
    }
  }

  /** See {@link NodeHost.handleProductionError}. */
  handleProductionError(
    nodeName: string,
    topic: string,
    partition: number,
    error: Error,
    origin: 'KEY' | 'VALUE' | undefined,
    sourceRecord?: SourceRecordContext,
  ): void {
    const handler = this.#env.productionExceptionHandler;
    // A dead letter of a record that failed deserialization names that record; everything else the current one.
    const source =
      sourceRecord ??
      (this.currentTopic === undefined
        ? undefined
        : { topic: this.currentTopic, partition: this.currentPartition, offset: this.currentOffset });
    const context = {
      topic,
      ...(partition >= 0 ? { partition } : {}),
      taskId: this.id,
      nodeName,
      ...(source ? { sourceRecord: source } : {}),
    };
    let response: HandlerResponse;
    if (origin === undefined) response = handler ? handler.handle(context, error) : FAIL_RESPONSE;
    else response = handler?.handleSerializationException?.(context, error, origin) ?? FAIL_RESPONSE;
    const where = source
      ? `record ${source.topic}-${source.partition}@${source.offset} (task ${this.idString})`
      : `a punctuation of "${nodeName}" (task ${this.idString})`;
    if (response.action === 'FAIL') {
      // A ProductionError, not a SerializationError: the processing exception handler must not see it (KIP-399).
      throw new ProductionError(`sink "${nodeName}" failed on ${where}: ${error.message}`, {
        cause: error,
        context: {
          topic,
          partition,
          taskId: this.idString,
          node: nodeName,
          ...(source
            ? { sourceTopic: source.topic, sourcePartition: source.partition, sourceOffset: source.offset }
            : {}),
        },
      });
    }
    this.#env.logger.warn(
      `task ${this.idString}: dropping the output of ${where} to ${topic} (production handler said CONTINUE): ${error.message}`,
    );
    this.recordDropped(origin === undefined ? 'production-error' : 'serialization-error');
    this.#sendDeadLetters(response, this.currentTimestamp, source);
  }
}
