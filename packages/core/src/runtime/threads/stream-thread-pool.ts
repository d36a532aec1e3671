import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { IllegalStateError } from '@kaskade/processor-api';
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
/** How long a worker may take to exit after its answer (or past the close timeout) before it is killed. */
const EXIT_GRACE_MS = 5_000;

/** One stream thread's worker process, as the instance sees it. */
interface ThreadHandle {
  readonly index: number;
  readonly worker: ChildProcess;
  state: StreamsState;
  metrics: StreamsMetrics | undefined;
  paused: boolean;
  /** It loaded the module and made its instance ('ready'): from then on it has something to close. */
  loaded: boolean;
  /** It answered 'closed': its exit is expected. */
  answeredClose: boolean;
  hasExited: boolean;
  /** Resolves when the worker process exited. */
  readonly exited: Promise<true>;
  /** Those waiting for one of its next messages (`#await`); all are settled, as 'closed', when it exits. */
  readonly waiters: Set<{ readonly types: readonly FromWorker['type'][]; readonly resolve: (m: FromWorker) => void }>;
}

/** What a waiter gets from a worker that exited. */
const EXITED: FromWorker = { type: 'closed', ok: false };

/**
 * The stream threads of an instance with `numStreamThreads` > 1: one worker process each (the Kafka client's addon
 * loads in one thread per process, so not worker threads), each running the application module's topology as a
 * one-thread `KafkaStreams` with its own consumer in the application's group (instance id `<instanceId>-<n>`), so the
 * group spreads the tasks over them as over replicas. The instance keeps the lifecycle, the counters (summed), pause
 * and resume, and the observability server.
 *
 * @see org.apache.kafka.streams.processor.internals.StreamThread
 */
export class StreamThreadPool {
  readonly #options: StreamThreadPoolOptions;
  readonly #threads: ThreadHandle[] = [];
  /** The first thread failure, the one the instance reports (start() rejects with it too). */
  #failure: StreamThreadError | undefined;
  /** Set by the first `close()`: exits are expected from then on, and a second call gets the same answer. */
  #closing: Promise<boolean> | undefined;
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
   * once every thread's `start()` did (each is subscribed), rejects with the first thread's failure (or when closed
   * meanwhile).
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
      let exited!: (value: true) => void;
      const thread: ThreadHandle = {
        index,
        worker,
        state: 'CREATED',
        metrics: undefined,
        paused,
        loaded: false,
        answeredClose: false,
        hasExited: false,
        exited: new Promise((resolve) => (exited = resolve)),
        waiters: new Set(),
      };
      this.#threads.push(thread);
      const onExit = (how: string): void => {
        if (thread.hasExited) return;
        thread.hasExited = true;
        exited(true);
        if (!thread.answeredClose) this.#fail(thread, { name: 'Error', message: `its worker process exited (${how})` });
        for (const w of thread.waiters) w.resolve(EXITED);
        thread.waiters.clear();
      };
      worker.on('message', (m: FromWorker) => this.#receive(thread, m));
      worker.on('exit', (code, signal) => onExit(signal === null ? `code ${code}` : signal));
      worker.on('error', (e) => {
        // A process that could not be started ends here (no 'exit' follows); a message that could not be sent to a
        // dying one is no news: its exit says what happened.
        if (worker.pid === undefined) onExit(e.message);
      });
      this.#send(thread, { type: 'init', init });
    }
    const ready = await Promise.all(this.#threads.map((t) => this.#await(t, ['ready', 'failed'])));
    this.#throwFirstFailure(ready);
    for (const t of this.#threads) t.loaded = true;
    if (this.#closing) throw new IllegalStateError('the stream threads were closed while they started');
    for (const t of this.#threads) this.#send(t, { type: 'start' });
    const started = await Promise.all(this.#threads.map((t) => this.#await(t, ['started', 'startFailed'])));
    this.#throwFirstFailure(started);
  }

  pause(): void {
    for (const t of this.#threads) if (this.#send(t, { type: 'pause' })) t.paused = true;
  }

  resume(): void {
    for (const t of this.#threads) if (this.#send(t, { type: 'resume' })) t.paused = false;
  }

  /** Whether every thread is paused (as asked, or as it last reported; none yet: false). */
  isPaused(): boolean {
    return this.#threads.length > 0 && this.#threads.every((t) => t.paused);
  }

  /**
   * Asks every thread to close (each commits what it processed) and waits until its process exited; true when all
   * closed within `timeoutMs`. A worker still loading the module (nothing to commit yet) is ended at once, one that
   * does not answer in time, or does not exit after answering, is killed. Exits are expected from here on: none is a
   * failure. Called again, gives the first call's answer.
   */
  close(timeoutMs: number): Promise<boolean> {
    this.#closing ??= this.#closeAll(timeoutMs);
    return this.#closing;
  }

  async #closeAll(timeoutMs: number): Promise<boolean> {
    const results = await Promise.all(
      this.#threads.map(async (t) => {
        let ok = true;
        if (!t.loaded && !t.hasExited) {
          t.worker.kill('SIGKILL');
        } else if (!t.answeredClose && !t.hasExited) {
          const answer = this.#await(t, ['closed']);
          if (this.#send(t, { type: 'close', timeoutMs })) {
            const m = await within(answer, timeoutMs + EXIT_GRACE_MS);
            ok = m?.type === 'closed' && m.ok;
          }
        }
        if ((await within(t.exited, EXIT_GRACE_MS)) === undefined) t.worker.kill('SIGKILL');
        await t.exited;
        return ok;
      }),
    );
    return results.every(Boolean);
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
      this.#threads.map((t) => {
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
        if (!this.#send(t, { type: 'scrape', id })) this.#scrapes.get(id)?.(EXITED);
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
        thread.answeredClose = true;
        break;
      case 'scrape':
        this.#scrapes.get(m.id)?.(m);
        this.#scrapes.delete(m.id);
        break;
      case 'failed':
      case 'startFailed':
        this.#fail(thread, m.error);
        break;
      case 'ready':
      case 'started':
        break;
    }
    for (const w of thread.waiters) {
      if (!w.types.includes(m.type)) continue;
      thread.waiters.delete(w);
      w.resolve(m);
    }
  }

  /** The first failure of a thread, unless the threads are being closed (then exits and errors are expected). */
  #fail(thread: ThreadHandle, error: ErrorFields): void {
    if (this.#failure !== undefined || this.#closing) return;
    this.#failure = new StreamThreadError(thread.index, error);
    this.#options.onError(this.#failure);
  }

  /** Sends `m` if the worker can still take it; false when it cannot. */
  #send(thread: ThreadHandle, m: ToWorker): boolean {
    if (thread.hasExited || !thread.worker.connected) return false;
    try {
      return thread.worker.send(m);
    } catch {
      return false; // the channel closed under us: the exit follows
    }
  }

  /** The worker's next message of one of `types` ('closed' with ok false once it exited). */
  #await(thread: ThreadHandle, types: readonly FromWorker['type'][]): Promise<FromWorker> {
    if (thread.hasExited) return Promise.resolve(EXITED);
    return new Promise((resolve) => thread.waiters.add({ types, resolve }));
  }

  /**
   * The failure the instance reports, if a thread failed first (another thread's answer may only be that it was ended
   * because of it); else the first failed answer, in thread order.
   */
  #throwFirstFailure(answers: readonly FromWorker[]): void {
    const failed = answers.findIndex((m) => m.type !== 'ready' && m.type !== 'started');
    if (failed === -1) return;
    if (this.#failure !== undefined) throw this.#failure;
    const m = answers[failed]!;
    if (m.type === 'failed' || m.type === 'startFailed') throw new StreamThreadError(failed + 1, m.error);
    throw new StreamThreadError(failed + 1, { name: 'Error', message: 'its worker process exited' });
  }
}

/** `promise`'s value, or undefined when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
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
