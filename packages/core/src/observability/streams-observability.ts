import { Registry } from 'prom-client';
import type { StreamsConfig } from '../config/streams-config.js';
import type { ClientConfig } from '../kafka/kafka-types.js';
import type { StateRestoreListener } from '../runtime/changelog-restorer.js';
import { ClientStatistics } from './client-statistics.js';
import type { InstanceCounters } from './instance-counters.js';
import { instanceStatus, isReady } from './instance-status.js';
import type { InstanceStatusJson } from './instance-status.js';
import { KaskadeMetrics } from './kaskade-metrics.js';
import { EndOffsetRefresher } from './end-offset-refresher.js';
import { servedInstance } from './served-instance.js';
import { ObservabilityServer } from './observability-server.js';
import type { ObservedInstance } from './observed-instance.js';
import { RestoreProgressTracker } from './restore-progress-tracker.js';

const DEFAULT_STATISTICS_INTERVAL_MS = 5_000;

/**
 * Metrics, status and the HTTP server of one instance, made by `KafkaStreams` only when `metrics` or `server` is
 * configured (otherwise nothing of it exists and the processing loop skips every hook).
 */
export class StreamsObservability {
  readonly registry: Registry;
  readonly counters: InstanceCounters;
  readonly statistics: ClientStatistics;
  readonly restore = new RestoreProgressTracker();
  readonly #instance: ObservedInstance;
  readonly #statisticsIntervalMs: number;
  readonly #detach: () => void;
  readonly #server: ObservabilityServer | undefined;
  readonly #ends: EndOffsetRefresher;

  /** Only for a config with `metrics` or `server`; `KafkaStreams` loads this module (and prom-client) only then. */
  constructor(config: StreamsConfig, instance: ObservedInstance) {
    this.#instance = instance;
    this.registry = config.metrics?.registry ?? new Registry();
    this.#statisticsIntervalMs = config.metrics?.statisticsIntervalMs ?? DEFAULT_STATISTICS_INTERVAL_MS;
    this.statistics = new ClientStatistics(instance.readCommitted);
    const { counters, detach } = KaskadeMetrics.of(this.registry).attach({
      instance,
      statistics: this.statistics,
      restore: this.restore,
      appStateDir: `${config.stateDir}/${config.applicationId}`,
    });
    this.counters = counters;
    this.#ends = new EndOffsetRefresher({
      instance,
      statistics: this.statistics,
      bootstrapServers: config.bootstrapServers,
      adminConfig: config.adminConfig,
      logger: config.logger,
      intervalMs: this.#statisticsIntervalMs,
    });
    this.#detach = detach;
    if (config.server) {
      this.#server = new ObservabilityServer(
        config.server,
        servedInstance(config, {
          registry: this.registry,
          state: () => instance.state(),
          ready: () => isReady(instance, this.restore),
          status: () => this.status(),
          pause: () => instance.pause(),
          resume: () => instance.resume(),
        }),
      );
    }
  }

  /** Client properties that make librdkafka report statistics (a user's own `statistics.interval.ms` wins). */
  clientConfig(user: ClientConfig): ClientConfig {
    return { 'statistics.interval.ms': this.#statisticsIntervalMs, ...user };
  }

  /** The restore listener that feeds restoration metrics. */
  get restoreListener(): StateRestoreListener {
    return this.restore;
  }

  status(): InstanceStatusJson {
    return instanceStatus(this.#instance, this.statistics, this.restore);
  }

  /** The server's `http://host:port`, once started. */
  get serverUrl(): string | undefined {
    return this.#server?.url;
  }

  async start(): Promise<void> {
    await this.#server?.start();
    this.#ends.start();
  }

  async stop(): Promise<void> {
    this.#ends.stop();
    await this.#server?.stop();
    this.#detach();
  }
}
