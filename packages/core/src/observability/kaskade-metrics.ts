import { join } from 'node:path';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { StreamsState } from '../runtime/streams-state.js';
import type { StreamTask } from '../runtime/stream-task.js';
import type { ClientStatistics, LibrdkafkaStatistics } from './client-statistics.js';
import { InstanceCounters } from './instance-counters.js';
import type { ObservedInstance } from './observed-instance.js';
import { forEachPartition, positionOf } from './partition-lag.js';
import { RestoreProgressTracker } from './restore-progress-tracker.js';
import { approximateEntries, directoryBytes } from './store-sizes.js';

/** One instance as the metrics see it. */
export interface MetricsSource {
  readonly instance: ObservedInstance;
  readonly counters: InstanceCounters;
  readonly statistics: ClientStatistics;
  readonly restore: RestoreProgressTracker;
  /** `<stateDir>/<applicationId>`, where task directories (and their LMDB files) live. */
  readonly appStateDir: string;
}

const ID = ['application_id', 'instance_id'] as const;
const TASK = [...ID, 'task'] as const;
const PARTITION = [...ID, 'topic', 'partition'] as const;
const STORE = [...ID, 'task', 'store'] as const;
const RESTORE = [...ID, 'store', 'topic', 'partition'] as const;
const CLIENT = [...ID, 'client'] as const;
const STREAMS_STATES: readonly StreamsState[] = [
  'CREATED',
  'REBALANCING',
  'RUNNING',
  'PENDING_SHUTDOWN',
  'NOT_RUNNING',
  'PENDING_ERROR',
  'ERROR',
];
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type Labels = { [name: string]: string | number };

const registries = new WeakMap<Registry, KaskadeMetrics>();

/**
 * Kaskade's Prometheus metrics in one registry, following Kafka Streams' metric groups (thread, task, state,
 * restoration, client) in Prometheus naming: `kaskade_<group>_<name>[_total|_seconds|_bytes]`, labelled with
 * `application_id` and `instance_id`. Every value except the two histograms is read from the instances at scrape
 * time (a `collect` callback), so the processing loop only bumps plain numbers. Several instances may share one
 * registry (e.g. the application's own): each adds its series.
 *
 * @see org.apache.kafka.streams.KafkaStreams#metrics
 */
export class KaskadeMetrics {
  readonly registry: Registry;
  readonly #sources = new Set<MetricsSource>();
  readonly #commitLatency: Histogram<string>;
  readonly #e2eLatency: Histogram<string>;

  /** The metrics of a registry, registered once however many instances use it. */
  static of(registry: Registry): KaskadeMetrics {
    let m = registries.get(registry);
    if (!m) registries.set(registry, (m = new KaskadeMetrics(registry)));
    return m;
  }

  private constructor(registry: Registry) {
    this.registry = registry;
    const registers = [registry];
    this.#commitLatency = new Histogram({
      name: 'kaskade_commit_latency_seconds',
      help: 'Time of one commit (flush output, commit offsets or the transaction, persist stores)',
      labelNames: ID,
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#e2eLatency = new Histogram({
      name: 'kaskade_record_e2e_latency_seconds',
      help: 'Wall clock minus record timestamp when a source record is processed (sampled once per task and batch)',
      labelNames: [...ID, 'source', 'topic'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#register(registers);
  }

  /** Adds an instance's series; returns the counters its loop bumps and a function that removes it again. */
  attach(source: Omit<MetricsSource, 'counters'>): { counters: InstanceCounters; detach: () => void } {
    const id = { application_id: source.instance.applicationId, instance_id: source.instance.instanceId };
    const sourceByTopic = sourceNodesByTopic(source.instance);
    const counters = new InstanceCounters(this.#commitLatency.labels(id), (topic) =>
      this.#e2eLatency.labels({ ...id, source: sourceByTopic.get(topic) ?? topic, topic }),
    );
    const full: MetricsSource = { ...source, counters };
    this.#sources.add(full);
    return {
      counters,
      detach: () => {
        this.#sources.delete(full);
        this.#commitLatency.remove(id);
      },
    };
  }

  #register(registers: Registry[]): void {
    const sources = this.#sources;
    const idOf = (s: MetricsSource): Labels => ({
      application_id: s.instance.applicationId,
      instance_id: s.instance.instanceId,
    });
    const gauge = (name: string, help: string, labelNames: readonly string[], fill: (g: Gauge) => void): void => {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          fill(this);
        },
      });
    };
    // A counter read from a monotonic number kept elsewhere: reset, then set by incrementing from zero.
    const counter = (name: string, help: string, labelNames: readonly string[], fill: (c: Counter) => void): void => {
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          fill(this);
        },
      });
    };
    const perInstance = (name: string, help: string, value: (s: MetricsSource) => number): void =>
      counter(name, help, ID, (c) => sources.forEach((s) => c.inc(idOf(s), value(s))));
    const perTask = (name: string, help: string, value: (t: StreamTask) => number): void =>
      counter(name, help, TASK, (c) =>
        sources.forEach((s) => s.instance.tasks().forEach((t) => c.inc({ ...idOf(s), task: t.idString }, value(t)))),
      );

    // Thread level (Kafka Streams' stream-thread-metrics): totals of the instance, closed tasks included.
    perInstance('kaskade_records_processed_total', 'Records processed', (s) => s.instance.totals().processed);
    perInstance('kaskade_records_produced_total', 'Records sent to the producer', (s) => s.instance.totals().produced);
    perInstance(
      'kaskade_records_skipped_total',
      'Records skipped by an error handler',
      (s) => s.instance.totals().skippedRecords,
    );
    perInstance(
      'kaskade_records_dead_lettered_total',
      'Records sent to the dead-letter topic',
      (s) => s.instance.totals().deadLettered,
    );
    perInstance('kaskade_punctuations_total', 'Punctuations run', (s) => s.instance.totals().punctuations);
    perInstance('kaskade_commits_total', 'Commits', (s) => s.instance.totals().commits);
    perInstance(
      'kaskade_rebalances_total',
      'Rebalances (assignments and revocations) handled',
      (s) => s.counters.rebalances,
    );
    perInstance(
      'kaskade_process_seconds_total',
      'Time spent processing; divided by records processed: the process latency',
      (s) => s.counters.processSeconds,
    );
    perInstance('kaskade_process_batches_total', 'Batches processed', (s) => s.counters.batches);
    perInstance(
      'kaskade_throttled_seconds_total',
      "Time fetching waited for the instance's maxRecordsPerSecond budget",
      (s) => s.instance.totals().throttledMs / 1000,
    );
    counter(
      'kaskade_topic_throttled_seconds_total',
      "Time a source topic's partitions were paused for its maxRecordsPerSecondByTopic budget",
      [...ID, 'topic'],
      (c) =>
        sources.forEach((s) =>
          Object.entries(s.instance.totals().throttledMsByTopic).forEach(([topic, ms]) =>
            c.inc({ ...idOf(s), topic }, ms / 1000),
          ),
        ),
    );
    perInstance(
      'kaskade_records_restored_total',
      'Changelog records restored into stores',
      (s) => s.restore.restoredTotal,
    );
    counter(
      'kaskade_records_dropped_total',
      'Records dropped, by reason (late, null key, invalid timestamp, ...)',
      [...ID, 'reason'],
      (c) =>
        sources.forEach((s) =>
          Object.entries(s.instance.totals().droppedByReason).forEach(([reason, n]) =>
            c.inc({ ...idOf(s), reason }, n),
          ),
        ),
    );
    gauge('kaskade_state', 'Lifecycle state of the instance: 1 for the current state', [...ID, 'state'], (g) =>
      sources.forEach((s) => {
        const now = s.instance.state();
        for (const state of STREAMS_STATES) g.set({ ...idOf(s), state }, state === now ? 1 : 0);
      }),
    );
    gauge('kaskade_paused', '1 while processing is paused', ID, (g) =>
      sources.forEach((s) => g.set(idOf(s), s.instance.isPaused() ? 1 : 0)),
    );
    gauge('kaskade_active_tasks', 'Active tasks of the instance', ID, (g) =>
      sources.forEach((s) => g.set(idOf(s), s.instance.tasks().length)),
    );

    // Task level (stream-task-metrics).
    perTask('kaskade_task_records_processed_total', 'Records processed by the task', (t) => t.metrics.processed);
    perTask('kaskade_task_records_produced_total', 'Records the task sent to sinks', (t) => t.metrics.produced);
    perTask(
      'kaskade_task_records_skipped_total',
      'Records the task skipped (error handler CONTINUE)',
      (t) => t.metrics.skippedRecords,
    );
    perTask(
      'kaskade_task_records_dead_lettered_total',
      'Records the task sent to the dead-letter topic',
      (t) => t.metrics.deadLettered,
    );
    perTask('kaskade_task_punctuations_total', 'Punctuations the task ran', (t) => t.metrics.punctuations);
    counter('kaskade_task_records_dropped_total', 'Records the task dropped, by reason', [...TASK, 'reason'], (c) =>
      sources.forEach((s) =>
        s.instance
          .tasks()
          .forEach((t) => t.droppedByReason.forEach((n, reason) => c.inc({ ...idOf(s), task: t.idString, reason }, n))),
      ),
    );
    gauge('kaskade_task_buffered_records', 'Records fetched and waiting in the task', TASK, (g) =>
      sources.forEach((s) => s.instance.tasks().forEach((t) => g.set({ ...idOf(s), task: t.idString }, t.buffered()))),
    );

    // Consumer lag per input partition: the end the consumer last saw minus what the task has processed.
    gauge(
      'kaskade_consumer_lag_records',
      'Records in the partition not yet processed (end offset minus processed position)',
      PARTITION,
      (g) =>
        sources.forEach((s) =>
          forEachPartition(s, (topic, partition, lag) => {
            if (lag !== undefined) g.set({ ...idOf(s), topic, partition }, lag);
          }),
        ),
    );
    gauge('kaskade_consumer_position', 'Next offset to process per input partition', PARTITION, (g) =>
      sources.forEach((s) =>
        s.instance.tasks().forEach((t) =>
          t.queues.forEach((q) => {
            const pos = positionOf(s, q.topic, q.partition, q.committableOffset);
            if (pos >= 0) g.set({ ...idOf(s), topic: q.topic, partition: q.partition }, pos);
          }),
        ),
      ),
    );

    // Restoration per store and changelog partition.
    const restore = (
      name: string,
      help: string,
      value: (r: ReturnType<RestoreProgressTracker['all']>[number], now: number) => number,
    ) =>
      gauge(name, help, RESTORE, (g) => {
        const now = Date.now();
        sources.forEach((s) =>
          s.restore
            .all()
            .forEach((r) =>
              g.set({ ...idOf(s), store: r.storeName, topic: r.topic, partition: r.partition }, value(r, now)),
            ),
        );
      });
    restore('kaskade_restore_records_restored', 'Records restored by the latest restoration', (r) => r.restored);
    restore('kaskade_restore_records_remaining', 'Records left to restore', (r) => RestoreProgressTracker.remaining(r));
    restore('kaskade_restore_rate_records_per_second', 'Restoration rate', (r, now) =>
      RestoreProgressTracker.rate(r, now),
    );

    // State stores.
    gauge('kaskade_store_entries', 'Approximate entries of a key-value store', STORE, (g) =>
      sources.forEach((s) =>
        s.instance.tasks().forEach((t) =>
          t.stateManager?.storeNames().forEach((store) => {
            const n = approximateEntries(t.store(store));
            if (n !== undefined) g.set({ ...idOf(s), task: t.idString, store }, n);
          }),
        ),
      ),
    );
    gauge('kaskade_store_cache_bytes', 'Bytes in the record cache of the task', TASK, (g) =>
      sources.forEach((s) =>
        s.instance.tasks().forEach((t) => {
          if (t.stateManager) g.set({ ...idOf(s), task: t.idString }, t.stateManager.cacheSizeBytes);
        }),
      ),
    );
    gauge('kaskade_store_disk_bytes', 'Bytes of the task state directory on disk (LMDB files)', TASK, (g) =>
      sources.forEach((s) =>
        s.instance.tasks().forEach((t) => {
          if (t.stateManager) g.set({ ...idOf(s), task: t.idString }, directoryBytes(join(s.appStateDir, t.idString)));
        }),
      ),
    );

    // The clients' own statistics (librdkafka), as last reported.
    const client = (
      name: string,
      help: string,
      read: (st: LibrdkafkaStatistics) => number | undefined,
      kind: 'gauge' | 'counter' = 'gauge',
    ) =>
      (kind === 'gauge' ? gauge : counter)(name, help, CLIENT, (m) =>
        sources.forEach((s) =>
          (['consumer', 'producer'] as const).forEach((c) => {
            const st = s.statistics[c];
            const v = st ? read(st) : undefined;
            if (v === undefined) return;
            // librdkafka's totals since the client started (a replaced producer starts again: a counter reset).
            if (m instanceof Gauge) m.set({ ...idOf(s), client: c }, v);
            else m.inc({ ...idOf(s), client: c }, v);
          }),
        ),
      );
    client('kaskade_client_replyq', 'librdkafka: operations waiting in the reply queue', (st) => st.replyq);
    client('kaskade_client_queued_messages', 'librdkafka: messages waiting in the producer queues', (st) => st.msg_cnt);
    client('kaskade_client_queued_bytes', 'librdkafka: bytes waiting in the producer queues', (st) => st.msg_size);
    client('kaskade_client_tx_bytes_total', 'librdkafka: bytes sent to brokers', (st) => st.tx_bytes, 'counter');
    client('kaskade_client_rx_bytes_total', 'librdkafka: bytes received from brokers', (st) => st.rx_bytes, 'counter');
    client('kaskade_client_tx_messages_total', 'librdkafka: messages produced', (st) => st.txmsgs, 'counter');
    client('kaskade_client_rx_messages_total', 'librdkafka: messages consumed', (st) => st.rxmsgs, 'counter');
    gauge(
      'kaskade_client_broker_rtt_seconds',
      'librdkafka: average round-trip time to a broker',
      [...CLIENT, 'broker'],
      (g) =>
        sources.forEach((s) =>
          (['consumer', 'producer'] as const).forEach((kind) =>
            Object.entries(s.statistics[kind]?.brokers ?? {}).forEach(([broker, b]) => {
              if (b.nodeid !== undefined && b.nodeid >= 0 && b.rtt?.avg !== undefined) {
                g.set({ ...idOf(s), client: kind, broker }, b.rtt.avg / 1e6);
              }
            }),
          ),
        ),
    );
    gauge(
      'kaskade_client_consumer_committed_lag',
      "librdkafka's consumer_lag: end offset minus the group's committed offset",
      PARTITION,
      (g) =>
        sources.forEach((s) =>
          s.instance.tasks().forEach((t) =>
            t.queues.forEach((q) => {
              const w = s.statistics.watermarks(q.topic, q.partition);
              if (w && w.committedLag >= 0)
                g.set({ ...idOf(s), topic: q.topic, partition: q.partition }, w.committedLag);
            }),
          ),
        ),
    );
  }
}

function sourceNodesByTopic(instance: ObservedInstance): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of instance.topology.nodes().values()) {
    if (node.kind === 'source') for (const t of node.topics) out.set(t, node.name);
  }
  return out;
}
