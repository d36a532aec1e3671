// The messages between an instance (`StreamThreadPool`) and its stream threads' worker processes
// (`stream-thread-worker.ts`). Everything crosses by structured clone (IPC with advanced serialization): no
// functions, errors as plain fields.
import type { InstanceStatusJson } from '../../observability/instance-status.js';
import type { StreamsMetrics } from '../streams-metrics.js';
import type { StreamsState } from '../streams-state.js';

/** What a worker is started with (its first message). */
export interface WorkerInit {
  /** The application module's URL, its export and the arguments it is called with. */
  readonly module: string;
  readonly exportName: string;
  readonly args: unknown;
  /** 1-based: the thread's `instanceId` is the instance's with `-<thread>` appended. */
  readonly thread: number;
  readonly instanceId: string;
  /** What the instance's thread built, for the worker to check that the module built the same. */
  readonly applicationId: string;
  readonly topologyDescription: string;
  readonly paused: boolean;
  /** How often the worker reports its counters, in ms. */
  readonly metricsIntervalMs: number;
  /**
   * The instance serves metrics or a server: the thread keeps its metrics in a registry of its own (no server), which
   * the instance scrapes. Its `statisticsIntervalMs` is the instance's.
   */
  readonly observed: { readonly statisticsIntervalMs?: number } | undefined;
}

/** An error, cloned field by field (a clone of an Error keeps only its message and stack). */
export interface ErrorFields {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
}

export type ToWorker =
  | { readonly type: 'init'; readonly init: WorkerInit }
  | { readonly type: 'start' }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'close'; readonly timeoutMs: number }
  | { readonly type: 'scrape'; readonly id: number };

export type FromWorker =
  /** The module is loaded and the thread's `KafkaStreams` made (CREATED). */
  | { readonly type: 'ready' }
  /** Loading the module or making the instance failed; the worker ends. */
  | { readonly type: 'failed'; readonly error: ErrorFields }
  | { readonly type: 'started' }
  | { readonly type: 'startFailed'; readonly error: ErrorFields }
  | { readonly type: 'state'; readonly to: StreamsState; readonly error?: ErrorFields }
  | { readonly type: 'metrics'; readonly metrics: StreamsMetrics; readonly paused: boolean }
  | { readonly type: 'closed'; readonly ok: boolean }
  /** The thread's registry as `getMetricsAsJSON()` gives it, and its status (undefined: not observed). */
  | { readonly type: 'scrape'; readonly id: number; readonly metrics: unknown[]; readonly status?: InstanceStatusJson };

export function errorFields(e: unknown): ErrorFields {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    message: e.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(e.stack === undefined ? {} : { stack: e.stack }),
  };
}
