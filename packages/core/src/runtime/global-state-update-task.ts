import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Headers, ProcessingError, Record, StreamsError, TopologyError } from '@kaskade/processor-api';
import { fromWireHeaders } from '../kafka/message-headers.js';
import type { StateStore, TaskId } from '@kaskade/processor-api';
import { TaskStateManager } from '@kaskade/state-store/internal';
import type { ConsumedMessage } from '../kafka/kafka-types.js';
import type { Topology } from '../topology/topology.js';
import { streamThreadIndex } from './threads/stream-thread-index.js';
import { GlobalProcessorContext } from './global-processor-context.js';
import { RecordContext } from './record-context.js';
import { RecordDeserializer } from './record-deserializer.js';
import { RecordErrorHandler } from './record-error-handler.js';
import { ProcessorRuntimeNode, SourceRuntimeNode } from './runtime-nodes.js';
import type { RuntimeNode } from './runtime-nodes.js';
import type { TaskEnvironment } from './task-environment.js';
import { TaskMetrics } from './task-metrics.js';

/** The global stores' directory below the application's state directory, and their checkpoint file in it. */
const GLOBAL_DIR = 'global';
const CHECKPOINT_FILE = '.checkpoint.json';
const GLOBAL_TASK_ID: TaskId = { subtopology: -1, partition: -1 };

/**
 * The global stores of a topology (`addGlobalStore`, `StreamsBuilder.globalTable`) and the processors that write them:
 * each record of a global topic (any partition) goes through its source and processor at once, in the order given.
 * The topics are the stores' changelogs: what was read is kept as offsets in a checkpoint file beside the stores
 * (written after the stores persist, so a crash in between only reads a few records again), never in Kafka.
 * `GlobalStreamThread` feeds it from Kafka; the `TopologyTestDriver` feeds it piped records.
 *
 * @see org.apache.kafka.streams.processor.internals.GlobalStateUpdateTask
 */
export class GlobalStateUpdateTask {
  readonly idString = 'global';
  readonly context = new RecordContext();
  readonly metrics = new TaskMetrics();
  readonly droppedByReason = new Map<string, number>();
  readonly #topology: Topology;
  readonly #env: TaskEnvironment;
  readonly #deserializers = new Map<string, RecordDeserializer>();
  readonly #nodes = new Map<string, RuntimeNode>();
  /** `<topic>:<partition>` → the next offset to read. */
  readonly #offsets = new Map<string, number>();
  readonly #errors: RecordErrorHandler;
  readonly #dir: string;
  #stateManager: TaskStateManager | undefined;
  #initialized = false;
  /** Largest timestamp read: the global processors' "stream time". */
  streamTime = -1;

  constructor(topology: Topology, env: TaskEnvironment) {
    this.#topology = topology;
    this.#env = env;
    // Stream threads' workers each keep their own copy of the global stores (Kafka Streams shares one global thread
    // between its threads; here each worker has its own, so they must not share a directory).
    const thread = streamThreadIndex();
    this.#dir = join(env.appStateDir, thread === undefined ? GLOBAL_DIR : `${GLOBAL_DIR}-thread-${thread}`);
    this.#errors = new RecordErrorHandler('global', GLOBAL_TASK_ID, env, this.context, this.metrics, (r) =>
      this.recordDropped(r),
    );
    for (const sub of topology.globalSubtopologies()) {
      for (const def of sub.nodes) {
        if (def.kind === 'source') {
          const node = new SourceRuntimeNode(
            def.name,
            (def.options.keySerde as never) ?? env.defaultKeySerde,
            (def.options.valueSerde as never) ?? env.defaultValueSerde,
          );
          const deserializer = new RecordDeserializer(node, (m, h, n, e) =>
            this.#errors.handleDeserializationError(m, h, n, e),
          );
          for (const t of def.topics) this.#deserializers.set(env.resolveTopic(t), deserializer);
          this.#nodes.set(def.name, node);
        } else if (def.kind === 'processor') {
          this.#nodes.set(def.name, new ProcessorRuntimeNode(def.name, this.context));
        }
      }
      for (const def of sub.nodes) {
        for (const child of topology.childrenOf(def.name)) this.#nodes.get(def.name)!.addChild(this.#nodes.get(child)!);
      }
    }
  }

  /** True when the topology has global stores. */
  static needed(topology: Topology): boolean {
    return topology.globalSubtopologies().length > 0;
  }

  /** The global topics (real names). */
  topics(): string[] {
    return [...this.#deserializers.keys()];
  }

  /**
   * Opens the stores and reads the checkpoint: where reading resumes per partition (`<topic>:<partition>` → offset).
   * Empty when there is none, or when a store is not persistent (an in-memory store starts empty: read everything).
   */
  open(): ReadonlyMap<string, number> {
    if (this.#stateManager) return this.#offsets;
    this.#stateManager = new TaskStateManager({
      applicationId: this.#env.applicationId,
      taskId: GLOBAL_TASK_ID,
      taskDir: this.#dir,
      cacheMaxBytes: 0,
      streamTimeMs: () => this.streamTime,
      logChange: () => {
        throw new StreamsError('global stores have no changelog of their own');
      },
      logger: (message) => this.#env.logger.warn(`global stores: ${message}`),
      recordTimestampMs: () => this.context.timestamp,
      recordDropped: (store, reason) => this.recordDropped(`${reason} (store ${store})`),
    });
    let persistent = true;
    for (const sub of this.#topology.globalSubtopologies()) {
      for (const name of sub.storeNames) {
        const store = this.#stateManager.register(this.#topology.stores().get(name)!.builder);
        persistent &&= store.persistent;
      }
    }
    const file = join(this.#dir, CHECKPOINT_FILE);
    if (persistent && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { [tp: string]: number };
      for (const [tp, offset] of Object.entries(saved)) this.#offsets.set(tp, offset);
    }
    return this.#offsets;
  }

  /** Creates and initializes the global processors (after the stores are open). */
  initialize(): void {
    if (this.#initialized) return;
    this.open();
    for (const node of this.#nodes.values()) {
      if (!(node instanceof ProcessorRuntimeNode)) continue;
      const def = this.#topology.nodes().get(node.name);
      if (def?.kind !== 'processor') continue;
      const processor = def.supplier.get();
      if (!processor || typeof processor.process !== 'function') {
        throw new TopologyError(`the supplier of global processor "${node.name}" did not return a processor`, {
          context: { node: node.name },
        });
      }
      node.processor = processor;
      this.context.nodeName = node.name;
      processor.init?.(new GlobalProcessorContext(this, node, GLOBAL_TASK_ID));
    }
    this.context.nodeName = '';
    this.#initialized = true;
  }

  /** A global store by name (undefined before `open` or for other names). */
  store(name: string): StateStore | undefined {
    return this.#topology.isGlobal(name) ? this.#stateManager?.getStore(name) : undefined;
  }

  get env(): TaskEnvironment {
    return this.#env;
  }

  /** Updates the global stores with one message of a global topic. */
  update(m: ConsumedMessage): void {
    const deserializer = this.#deserializers.get(m.topic);
    if (deserializer === undefined) return;
    this.#offsets.set(`${m.topic}:${m.partition}`, m.offset + 1);
    const ts = m.timestamp ?? -1;
    const context = this.context;
    context.topic = m.topic;
    context.partition = m.partition;
    context.offset = m.offset;
    context.timestamp = ts;
    context.message = m;
    context.nodeName = deserializer.source.name;
    if (ts > this.streamTime) this.streamTime = ts;
    const headers = m.headers === undefined ? Headers.EMPTY : fromWireHeaders(m.headers);
    if (!deserializer.deserialize(m, m.topic, headers)) return;
    const record = new Record(deserializer.key, deserializer.value, ts, headers);
    try {
      deserializer.source.process(record);
    } catch (e) {
      if (e instanceof StreamsError) throw e;
      throw new ProcessingError(`global store update from ${m.topic}-${m.partition}@${m.offset} failed`, {
        cause: e,
        context: { topic: m.topic, partition: m.partition, offset: m.offset },
      });
    }
    this.metrics.processed++;
  }

  /** Where reading is per partition (`<topic>:<partition>` → next offset). */
  offsets(): ReadonlyMap<string, number> {
    return this.#offsets;
  }

  /** Persists the stores, then the offsets they reflect. */
  flush(): void {
    const manager = this.#stateManager;
    if (manager === undefined) return;
    manager.flushCaches();
    manager.commit(new Map());
    const file = join(this.#dir, CHECKPOINT_FILE);
    writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(this.#offsets)));
    renameSync(`${file}.tmp`, file);
  }

  recordDropped(reason: string): void {
    this.metrics.droppedRecords++;
    this.droppedByReason.set(reason, (this.droppedByReason.get(reason) ?? 0) + 1);
  }

  /** Closes processors and stores; what was not flushed is read again next time. */
  close(): void {
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
}
