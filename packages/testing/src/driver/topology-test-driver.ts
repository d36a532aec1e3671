import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Headers, IllegalStateError } from '@kaskade/processor-api';
import type { KeyValueStore, Serde, SessionStore, StateStore, WindowStore } from '@kaskade/processor-api';
import { GlobalStateUpdateTask, StreamTask, internalTopicName, parseStreamsConfig } from '@kaskade/core/internal';
import type { StreamsConfig, StreamsConfigInput, Topology } from '@kaskade/core';
import type { ConsumedMessage, RecordCollector, TaskEnvironment } from '@kaskade/core/internal';
import { TestInputTopic } from './test-input-topic.js';
import { TestOutputTopic } from './test-output-topic.js';
import type { CapturedRecord } from './test-record.js';

/** Configuration of a test driver: any `StreamsConfig` field, plus the starting wall-clock time. */
export type TopologyTestDriverConfig = Partial<StreamsConfigInput> & { readonly initialWallClockTimeMs?: number };

/**
 * Runs a `Topology` synchronously in-process, without a broker: pipe records into input topics, read what the
 * topology wrote from output topics, advance the wall clock for punctuations, look into stores. It runs the same
 * task code as the real runtime, with one task per sub-topology (every topic has one partition), and commits after
 * every record — as Kafka Streams' test driver does with commit interval 0.
 *
 * ```ts
 * const driver = new TopologyTestDriver(topology);
 * const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
 * const output = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
 * input.pipeInput('k', 'v', 0);
 * expect(output.readKeyValuesToList()).toEqual([{ key: 'k', value: 'V' }]);
 * driver.close();
 * ```
 * @see org.apache.kafka.streams.TopologyTestDriver
 */
export class TopologyTestDriver {
  readonly config: StreamsConfig;
  readonly #tasks: StreamTask[] = [];
  readonly #taskByTopic = new Map<string, StreamTask>();
  /** The global stores, updated at once by records piped into their topics (as Kafka Streams' driver). */
  readonly #global: GlobalStateUpdateTask | undefined;
  readonly #outputs = new Map<string, CapturedRecord[]>();
  readonly #offsets = new Map<string, number>();
  /** Records written to topics that the topology itself reads (repartition topics), waiting to be processed. */
  readonly #pending: ConsumedMessage[] = [];
  readonly #stateDir: string;
  readonly #resolve: (name: string) => string;
  #wallClock: number;
  #processing = false;
  #closed = false;

  constructor(topology: Topology, config: TopologyTestDriverConfig = {}) {
    this.#stateDir = mkdtempSync(join(tmpdir(), 'kaskade-ttd-'));
    const { initialWallClockTimeMs, ...rest } = config;
    this.config = parseStreamsConfig({
      applicationId: 'test-driver',
      bootstrapServers: 'test-driver:9092',
      stateDir: this.#stateDir,
      ...rest,
    });
    this.#wallClock = initialWallClockTimeMs ?? Date.now();
    const appId = this.config.applicationId;
    const internal = topology.internalTopics();
    this.#resolve = (t) => (internal.has(t) ? internalTopicName(appId, t) : t);
    const collector: RecordCollector = {
      send: (topic, _partition, key, value, timestamp, headers) => this.#capture(topic, key, value, timestamp, headers),
      partitionsFor: () => 1,
    };
    const env: TaskEnvironment = {
      applicationId: appId,
      appConfigs: this.config as unknown as { [key: string]: unknown },
      defaultKeySerde: this.config.defaultKeySerde,
      defaultValueSerde: this.config.defaultValueSerde,
      defaultTimestampExtractor: this.config.defaultTimestampExtractor,
      deserializationExceptionHandler: this.config.deserializationExceptionHandler,
      processingExceptionHandler: this.config.processingExceptionHandler,
      productionExceptionHandler: this.config.productionExceptionHandler,
      collector,
      wallClockMs: () => this.#wallClock,
      appStateDir: join(this.#stateDir, appId),
      cacheMaxBytesPerTask: this.config.cacheMaxBytes,
      resolveTopic: this.#resolve,
      logger: this.config.logger,
      // As in Kafka Streams' driver, every piped record is fetched at once: lags are 0, so a task with several input
      // partitions waits only for maxTaskIdleMs (of the driver's wall clock) when one of them has nothing buffered.
      idling: { maxTaskIdleMs: this.config.maxTaskIdleMs, lags: { fetchedLag: () => 0 } },
      globalStore: (name) => this.#global?.store(name),
    };
    if (GlobalStateUpdateTask.needed(topology)) {
      this.#global = new GlobalStateUpdateTask(topology, env);
      this.#global.initialize();
    }
    for (const sub of topology.subtopologies()) {
      const task = new StreamTask({ subtopology: sub.id, partition: 0 }, sub, topology, env);
      this.#tasks.push(task);
      for (const q of task.queues) this.#taskByTopic.set(q.topic, task);
    }
    for (const t of this.#tasks) t.initializeProcessors();
  }

  /** An input topic to pipe records into. The topic must be read by a source of the topology. */
  createInputTopic<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: { startTimestampMs?: number; autoAdvanceMs?: number } = {},
  ): TestInputTopic<K, V> {
    if (!this.#taskByTopic.has(topic) && !this.#global?.topics().includes(topic)) {
      const read = [...this.#taskByTopic.keys(), ...(this.#global?.topics() ?? [])];
      throw new IllegalStateError(`topic "${topic}" is not read by this topology (it reads: ${read.join(', ')})`);
    }
    return new TestInputTopic(
      { pipe: (t, k, v, ts, h) => this.#pipe(t, k, v, ts, h), wallClockMs: () => this.#wallClock },
      topic,
      keySerde,
      valueSerde,
      options,
    );
  }

  /** An output topic to read what the topology wrote. */
  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(
      {
        take: (t) => {
          const list = this.#outputs.get(t) ?? [];
          this.#outputs.set(t, []);
          return list;
        },
        unshift: (t, records) => this.#outputs.set(t, [...records, ...(this.#outputs.get(t) ?? [])]),
        peekCount: (t) => this.#outputs.get(t)?.length ?? 0,
      },
      topic,
      keySerde,
      valueSerde,
    );
  }

  /** Moves the mocked wall clock forward and fires due WALL_CLOCK_TIME punctuations. */
  advanceWallClockTime(ms: number): void {
    this.#checkOpen();
    this.#wallClock += ms;
    for (const t of this.#tasks) t.punctuateWallClock(this.#wallClock);
    this.#processIdled();
    this.#drainAndCommit();
  }

  /**
   * Waits until the asynchronous operators of the topology have finished every record piped so far, forwarding their
   * results (and whatever those cause downstream) as they arrive, as the runtime's loop does. Rejects with an
   * `IllegalStateError` when work is still in flight after `timeoutMs` (default 10 s). Topologies without asynchronous
   * operators settle at once.
   *
   * ```ts
   * input.pipeInput('k', 'v');
   * await driver.settle();
   * expect(output.readValuesToList()).toEqual(['enriched v']);
   * ```
   */
  async settle(timeoutMs = 10_000): Promise<void> {
    this.#checkOpen();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#applyAsyncResults();
      const waits: Promise<void>[] = [];
      let inFlight = 0;
      for (const t of this.#tasks) {
        const runner = t.asyncRunner;
        if (runner === undefined || runner.inFlight === 0) continue;
        inFlight += runner.inFlight;
        waits.push(runner.whenCompleted());
      }
      if (inFlight === 0) return;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new IllegalStateError(`settle(): ${inFlight} asynchronous calls still in flight after ${timeoutMs} ms`);
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([...waits, new Promise<void>((r) => (timer = setTimeout(r, remaining)))]);
      clearTimeout(timer);
    }
  }

  /** Asynchronous work in flight over all tasks (records piped whose asynchronous step has not been applied yet). */
  get asyncInFlight(): number {
    let n = 0;
    for (const t of this.#tasks) n += t.asyncRunner?.inFlight ?? 0;
    return n;
  }

  /** The driver's wall-clock time. */
  get wallClockMs(): number {
    return this.#wallClock;
  }

  /** A store by name (undefined when no such store exists). */
  getStateStore<S extends StateStore = StateStore>(name: string): S | undefined {
    const global = this.#global?.store(name);
    if (global) return global as S;
    for (const t of this.#tasks) {
      const s = t.store(name);
      if (s) return s as S;
    }
    return undefined;
  }

  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> | undefined {
    return this.getStateStore<KeyValueStore<K, V>>(name);
  }

  getWindowStore<K, V>(name: string): WindowStore<K, V> | undefined {
    return this.getStateStore<WindowStore<K, V>>(name);
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> | undefined {
    return this.getStateStore<SessionStore<K, V>>(name);
  }

  /** Topics the topology wrote to (output, repartition and changelog topics). */
  producedTopicNames(): string[] {
    return [...this.#outputs.keys()];
  }

  /** Records dropped, skipped and processed so far, summed over the tasks. */
  metrics(): {
    processed: number;
    skippedRecords: number;
    droppedRecords: number;
    droppedByReason: { [reason: string]: number };
    deadLettered: number;
  } {
    const out = {
      processed: 0,
      skippedRecords: 0,
      droppedRecords: 0,
      droppedByReason: {} as { [reason: string]: number },
      deadLettered: 0,
    };
    for (const t of this.#tasks) {
      out.processed += t.metrics.processed;
      out.skippedRecords += t.metrics.skippedRecords;
      out.droppedRecords += t.metrics.droppedRecords;
      out.deadLettered += t.metrics.deadLettered;
      for (const [r, n] of t.droppedByReason) out.droppedByReason[r] = (out.droppedByReason[r] ?? 0) + n;
    }
    return out;
  }

  /** Closes processors and stores and deletes the driver's state directory. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    let first: unknown;
    for (const t of [...this.#tasks, ...(this.#global ? [this.#global] : [])]) {
      try {
        t.close();
      } catch (e) {
        first ??= e;
      }
    }
    rmSync(this.#stateDir, { recursive: true, force: true });
    if (first) throw first;
  }

  // ---- internals ----

  #checkOpen(): void {
    if (this.#closed) throw new IllegalStateError('the TopologyTestDriver is closed');
  }

  #nextOffset(topic: string): number {
    const n = this.#offsets.get(topic) ?? 0;
    this.#offsets.set(topic, n + 1);
    return n;
  }

  #message(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
  ): ConsumedMessage {
    return {
      topic,
      partition: 0,
      offset: this.#nextOffset(topic),
      timestamp,
      key,
      value,
      size: (key?.length ?? 0) + (value?.length ?? 0),
      ...(headers.size > 0 ? { headers: headers.toArray().map((h) => ({ [h.key]: h.value ?? Buffer.alloc(0) })) } : {}),
    };
  }

  #pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    this.#checkOpen();
    if (this.#global !== undefined && !this.#taskByTopic.has(topic)) {
      this.#global.update(this.#message(topic, key, value, timestamp, headers));
      return;
    }
    this.#pending.push(this.#message(topic, key, value, timestamp, headers));
    this.#drainAndCommit();
  }

  #capture(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    let list = this.#outputs.get(topic);
    if (!list) this.#outputs.set(topic, (list = []));
    list.push({ topic, partition: 0, key, value, timestamp, headers: headers ?? Headers.EMPTY });
    // A topic the topology reads itself (a repartition topic) feeds its reader after the current record is done.
    if (this.#taskByTopic.has(topic)) this.#pending.push(this.#message(topic, key, value, timestamp, headers));
  }

  /**
   * Applies the asynchronous results that arrived (and takes input that waited while an operator was full), then
   * processes what they caused.
   */
  #applyAsyncResults(): void {
    if (this.#processing) return;
    for (const t of this.#tasks) {
      if (t.asyncRunner === undefined) continue;
      this.#processing = true;
      try {
        t.process(Number.POSITIVE_INFINITY);
      } finally {
        this.#processing = false;
      }
    }
    this.#drainAndCommit();
  }

  /** Records that task idling held back (maxTaskIdleMs > 0), once the wall clock has moved. */
  #processIdled(): void {
    if (this.#processing) return;
    this.#processing = true;
    try {
      for (const t of this.#tasks) if (t.buffered() > 0) t.process(Number.POSITIVE_INFINITY);
    } finally {
      this.#processing = false;
    }
  }

  /** Processes pending records (and whatever they cause) to the end, then commits every task. */
  #drainAndCommit(): void {
    if (this.#processing) return;
    this.#processing = true;
    try {
      while (this.#pending.length > 0) {
        const m = this.#pending.shift()!;
        const task = this.#taskByTopic.get(m.topic)!;
        task.addMessage(m);
        task.process(Number.POSITIVE_INFINITY);
      }
      for (const t of this.#tasks) {
        t.prepareCommit();
        // Cache flushes may have written to topics the topology reads.
        while (this.#pending.length > 0) {
          const m = this.#pending.shift()!;
          const task = this.#taskByTopic.get(m.topic)!;
          task.addMessage(m);
          task.process(Number.POSITIVE_INFINITY);
        }
        t.postCommit(new Map());
      }
    } finally {
      this.#processing = false;
    }
  }
}
