import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../config/logger.js';
import type { StreamsMetrics } from '../streams-metrics.js';
import type { StreamsState } from '../streams-state.js';
import { StreamThreadError } from './stream-thread-error.js';
import type { InstanceStatusJson } from '../../observability/instance-status.js';
import type { ErrorFields, FromWorker, ToWorker, WorkerInit } from './thread-messages.js';
import { threadName } from './thread-metadata.js';
import type { ThreadMetadata } from './thread-metadata.js';

/** Where the threads' application comes from (`KafkaStreams.fromModule`). */
export interface StreamsAppSource {
  readonly module: string;
  readonly exportName: string;
  readonly args: unknown;
}

export interface StreamThreadPoolOptions {
  readonly source: StreamsAppSource;
  readonly numStreamThreads: number;
  readonly instanceId: string;
  readonly applicationId: string;
  readonly topologyDescription: string;
  readonly logger: Logger;
  /** The instance serves metrics: each thread keeps them in a registry of its own, with these settings. */
  readonly observed: { readonly statisticsIntervalMs?: number } | undefined;
  /** A thread's state changed: the instance derives its own from all of them (`states`). */
  readonly onStateChange: () => void;
  /** A thread failed (its start, its processing, or its worker): the instance goes to ERROR. */
  readonly onError: (error: StreamThreadError) => void;
}

// Cheap (a small structured clone 20 times a second per thread), and fine-grained enough for a progress poll.
const METRICS_INTERVAL_MS = 50;
const SCRAPE_TIMEOUT_MS = 5_000;

/** One stream thread's worker, as the instance's thread sees it. */
interface ThreadHandle {
  readonly index: number;
  readonly worker: ChildProcess;
  state: StreamsState;
  metrics: StreamsMetrics | undefined;
  paused: boolean;
  closed: boolean;
  /** Resolves when the worker process exited. */
  readonly exited: Promise<void>;
  /** Settled by the worker's answers to `start` and `close`. */
  readonly waits: Map<string, { resolve: (m: FromWorker) => void }>;
}

/**
 * The stream threads of an instance with `numStreamThreads` > 1: one worker thread each, each running the application
 * module's topology as a one-thread `KafkaStreams` with its own consumer in the application's group (instance id
 * `<instanceId>-<n>`), so the group spreads the tasks over them as over replicas. The instance's own thread keeps the
 * lifecycle, the counters (summed), pause and resume, and the observability server.
 *
 * @see org.apache.kafka.streams.processor.internals.StreamThread
 */
export class StreamThreadPool {
  readonly #options: StreamThreadPoolOptions;
  readonly #threads: ThreadHandle[] = [];
  #failed = false;
  readonly #scrapes = new Map<number, (m: FromWorker) => void>();
  #nextScrape = 0;

  constructor(options: StreamThreadPoolOptions) {
    this.#options = options;
  }

  /** Each thread's state, in thread order. */
  get states(): readonly StreamsState[] {
    return this.#threads.map((t) => t.state);
  }

  /**
   * Starts the workers, waits until each has loaded the module and made its instance, then starts them all; resolves
   * once every thread's `start()` did (each is subscribed), rejects with the first thread's failure.
   */
  async start(paused: boolean): Promise<void> {
    const o = this.#options;
    // Run from the workspace's sources, the entry is TypeScript: the process's own loader (--import in execArgv, which
    // fork passes on) loads it, as it loaded this module.
    const entry = fileURLToPath(new URL(`./stream-thread-worker${extensionOf(import.meta.url)}`, import.meta.url));
    for (let index = 1; index <= o.numStreamThreads; index++) {
      const init: WorkerInit = {
        ...o.source,
        thread: index,
        instanceId: o.instanceId,
        applicationId: o.applicationId,
        topologyDescription: o.topologyDescription,
        paused,
        metricsIntervalMs: METRICS_INTERVAL_MS,
        observed: o.observed,
      };
      const worker = fork(entry, [], {
        serialization: 'advanced',
        stdio: 'inherit',
        env: { ...process.env, KASKADE_STREAM_THREAD: String(index) },
      });
      const thread: ThreadHandle = {
        index,
        worker,
        state: 'CREATED',
        metrics: undefined,
        paused,
        closed: false,
        exited: new Promise((resolve) => worker.once('exit', () => resolve())),
        waits: new Map(),
      };
      this.#threads.push(thread);
      worker.on('message', (m: FromWorker) => this.#receive(thread, m));
      this.#send(thread, { type: 'init', init });
      worker.on('error', (e) => this.#fail(thread, { name: e.name, message: e.message, stack: e.stack ?? '' }));
      worker.on('exit', (code, signal) => {
        const how = signal === null ? `code ${code}` : signal;
        if (!thread.closed) this.#fail(thread, { name: 'Error', message: `its worker process exited (${how})` });
        thread.closed = true;
        for (const [, wait] of thread.waits) wait.resolve({ type: 'closed', ok: false });
      });
    }
    const ready = await Promise.all(this.#threads.map((t) => this.#await(t, ['ready', 'failed'])));
    this.#throwFirstFailure(ready);
    for (const t of this.#threads) this.#send(t, { type: 'start' });
    const started = await Promise.all(this.#threads.map((t) => this.#await(t, ['started', 'startFailed'])));
    this.#throwFirstFailure(started);
  }

  pause(): void {
    for (const t of this.#threads) this.#send(t, { type: 'pause' });
  }

  resume(): void {
    for (const t of this.#threads) this.#send(t, { type: 'resume' });
  }

  /** Whether every thread reported itself paused (none yet: false). */
  isPaused(): boolean {
    return this.#threads.length > 0 && this.#threads.every((t) => t.paused);
  }

  /** Asks every thread to close (each commits what it processed) and waits; true when all did within `timeoutMs`. */
  async close(timeoutMs: number): Promise<boolean> {
    const answers = await Promise.all(
      this.#threads.map((t) => {
        if (t.closed) return { type: 'closed', ok: true } as const;
        const answer = this.#await(t, ['closed']);
        this.#send(t, { type: 'close', timeoutMs });
        return answer;
      }),
    );
    // A worker that did not finish closing in time is ended.
    for (const t of this.#threads)
      if (t.worker.exitCode === null && t.worker.signalCode === null) t.worker.kill('SIGKILL');
    return answers.every((m) => m.type === 'closed' && m.ok);
  }

  /** The threads' counters, summed (as of each thread's last report, at most 50 ms old). */
  metrics(): StreamsMetrics {
    return sumMetrics(this.#threads.flatMap((t) => (t.metrics ? [t.metrics] : [])));
  }

  /** Each thread's state and tasks (its tasks as of its last report). */
  threads(): ThreadMetadata[] {
    const o = this.#options;
    return this.#threads.map((t) => ({
      threadName: threadName(o.applicationId, o.instanceId, t.index),
      threadState: t.state,
      activeTasks: [...(t.metrics?.activeTasks ?? [])].sort(),
      standbyTasks: [...(t.metrics?.standbyTasks ?? [])].sort(),
    }));
  }

  /**
   * Every running thread's metrics (`getMetricsAsJSON()` of its registry) and status, asked for now; a thread that
   * does not answer within 5 s (closing, stuck) is left out.
   */
  async scrape(): Promise<{ metrics: unknown[][]; statuses: InstanceStatusJson[] }> {
    const answers = await Promise.all(
      this.#threads.map(async (t) => {
        if (t.closed) return undefined;
        const id = this.#nextScrape++;
        const answer = new Promise<FromWorker | undefined>((resolve) => {
          const timer = setTimeout(() => {
            this.#scrapes.delete(id);
            resolve(undefined);
          }, SCRAPE_TIMEOUT_MS);
          this.#scrapes.set(id, (m) => {
            clearTimeout(timer);
            resolve(m);
          });
        });
        this.#send(t, { type: 'scrape', id });
        return answer;
      }),
    );
    const metrics: unknown[][] = [];
    const statuses: InstanceStatusJson[] = [];
    for (const m of answers) {
      if (m?.type !== 'scrape') continue;
      metrics.push(m.metrics);
      if (m.status) statuses.push(m.status);
    }
    return { metrics, statuses };
  }

  #receive(thread: ThreadHandle, m: FromWorker): void {
    switch (m.type) {
      case 'state':
        thread.state = m.to;
        if (m.to === 'ERROR') this.#fail(thread, m.error ?? { name: 'Error', message: 'went to ERROR' });
        else this.#options.onStateChange();
        break;
      case 'metrics':
        thread.metrics = m.metrics;
        thread.paused = m.paused;
        break;
      case 'closed':
        thread.closed = true;
        break;
      case 'scrape':
        this.#scrapes.get(m.id)?.(m);
        this.#scrapes.delete(m.id);
        break;
      case 'ready':
      case 'failed':
      case 'started':
      case 'startFailed':
        break;
    }
    thread.waits.get(m.type)?.resolve(m);
  }

  #fail(thread: ThreadHandle, error: ErrorFields): void {
    if (this.#failed || thread.closed) return;
    this.#failed = true;
    this.#options.onError(new StreamThreadError(thread.index, error));
  }

  #send(thread: ThreadHandle, m: ToWorker): void {
    if (!thread.closed && thread.worker.connected) thread.worker.send(m);
  }

  /** The worker's next message of one of `types`. */
  #await(thread: ThreadHandle, types: readonly FromWorker['type'][]): Promise<FromWorker> {
    return new Promise((resolve) => {
      const done = (m: FromWorker): void => {
        for (const type of types) thread.waits.delete(type);
        resolve(m);
      };
      for (const type of types) thread.waits.set(type, { resolve: done });
    });
  }

  #throwFirstFailure(answers: readonly FromWorker[]): void {
    answers.forEach((m, i) => {
      if (m.type === 'failed' || m.type === 'startFailed') throw new StreamThreadError(i + 1, m.error);
      if (m.type === 'closed') {
        throw new StreamThreadError(i + 1, { name: 'Error', message: 'its worker process exited' });
      }
    });
  }
}

function extensionOf(url: string): string {
  return url.slice(url.lastIndexOf('.'));
}

/** Counters of several threads as one instance's: sums, and the union of their tasks. */
export function sumMetrics(all: readonly StreamsMetrics[]): StreamsMetrics {
  const sumBy = (pick: (m: StreamsMetrics) => { readonly [k: string]: number }): { [k: string]: number } => {
    const out: { [k: string]: number } = {};
    for (const m of all) for (const [k, v] of Object.entries(pick(m))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const sum = (pick: (m: StreamsMetrics) => number): number => all.reduce((n, m) => n + pick(m), 0);
  return {
    processed: sum((m) => m.processed),
    skippedRecords: sum((m) => m.skippedRecords),
    droppedRecords: sum((m) => m.droppedRecords),
    droppedByReason: sumBy((m) => m.droppedByReason),
    deadLettered: sum((m) => m.deadLettered),
    punctuations: sum((m) => m.punctuations),
    commits: sum((m) => m.commits),
    transactionRecoveries: sum((m) => m.transactionRecoveries),
    restoredRecords: sum((m) => m.restoredRecords),
    produced: sum((m) => m.produced),
    activeTasks: all.flatMap((m) => m.activeTasks).sort(),
    standbyTasks: all.flatMap((m) => m.standbyTasks).sort(),
    standbyRecords: sum((m) => m.standbyRecords),
    standbyOffsets: Object.assign({}, ...all.map((m) => m.standbyOffsets)) as { [k: string]: number },
    throttledMs: sum((m) => m.throttledMs),
    throttledMsByTopic: sumBy((m) => m.throttledMsByTopic),
  };
}
