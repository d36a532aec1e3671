import { AggregatorRegistry, Registry } from 'prom-client';
import type { StreamsConfig } from '../../config/streams-config.js';
import { topologyJson } from '../../observability/instance-status.js';
import type { InstanceStatusJson } from '../../observability/instance-status.js';
import { servedInstance } from '../../observability/served-instance.js';
import { ObservabilityServer } from '../../observability/observability-server.js';
import type { Topology } from '../../topology/topology.js';
import type { StreamsMetrics } from '../streams-metrics.js';
import type { StreamsState } from '../streams-state.js';
import type { StreamThreadPool } from './stream-thread-pool.js';

/** What the threads' observability reads of the instance. */
export interface ThreadsInstance {
  readonly topology: Topology;
  state(): StreamsState;
  isPaused(): boolean;
  totals(): StreamsMetrics;
  pause(): void;
  resume(): void;
  /** The stream threads, once started. */
  pool(): StreamThreadPool | undefined;
}

/**
 * Metrics and the server of an instance with stream threads (`numStreamThreads` > 1): each thread keeps its metrics
 * in a registry of its own in its worker process (series labelled with the thread's instance id, `<instanceId>-<n>`),
 * and this server's `/metrics` aggregates them with prom-client's `AggregatorRegistry` at each scrape; `/api/status`
 * lists every thread's tasks and restorations under the instance's state and summed totals.
 */
export class ThreadsObservability {
  readonly registry = new Registry();
  readonly #config: StreamsConfig;
  readonly #instance: ThreadsInstance;
  readonly #server: ObservabilityServer | undefined;

  constructor(config: StreamsConfig, instance: ThreadsInstance) {
    this.#config = config;
    this.#instance = instance;
    if (config.server === undefined) return;
    this.#server = new ObservabilityServer(
      config.server,
      servedInstance(config, {
        registry: this.registry,
        state: () => instance.state(),
        ready: async () => (await this.status()).ready,
        status: () => this.status(),
        scrape: () => this.#scrape(),
        pause: () => instance.pause(),
        resume: () => instance.resume(),
      }),
    );
  }

  /** Each thread's registry, aggregated (no series is shared: each thread labels its own with its instance id). */
  async #scrape(): Promise<string> {
    const threads = (await this.#instance.pool()?.scrape())?.metrics ?? [];
    const all: object[] = [await this.registry.getMetricsAsJSON(), ...threads];
    return AggregatorRegistry.aggregate(all).metrics();
  }

  async status(): Promise<InstanceStatusJson> {
    const i = this.#instance;
    const statuses = (await i.pool()?.scrape())?.statuses ?? [];
    const state = i.state();
    return {
      applicationId: this.#config.applicationId,
      instanceId: this.#config.instanceId,
      state,
      paused: i.isPaused(),
      ready: state === 'RUNNING' && statuses.length > 0 && statuses.every((s) => s.ready),
      timeMs: Date.now(),
      totals: i.totals(),
      tasks: statuses.flatMap((s) => s.tasks).sort((a, b) => a.id.localeCompare(b.id)),
      restoration: statuses.flatMap((s) => s.restoration),
      topology: topologyJson(i.topology),
    };
  }

  get serverUrl(): string | undefined {
    return this.#server?.url;
  }

  async start(): Promise<void> {
    await this.#server?.start();
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
  }
}
