import type { Logger } from '../config/logger.js';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import type { ClientConfig, TopicPartition } from '../kafka/kafka-types.js';
import type { ClientStatistics } from './client-statistics.js';
import type { ObservedInstance } from './observed-instance.js';

/**
 * Asks the broker for the end (and start) offsets of input partitions whose end librdkafka's statistics do not know
 * — partitions not fetched yet, and all of them while the instance is paused — so that lag stays visible while an instance is paused. One
 * ListOffsets request per interval, and only when such partitions exist; never from the processing loop.
 */
export class EndOffsetRefresher {
  readonly #instance: ObservedInstance;
  readonly #statistics: ClientStatistics;
  readonly #bootstrapServers: string;
  readonly #adminConfig: ClientConfig;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #admin: KafkaAdmin | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: {
    instance: ObservedInstance;
    statistics: ClientStatistics;
    bootstrapServers: string;
    adminConfig: ClientConfig;
    logger: Logger;
    intervalMs: number;
  }) {
    this.#instance = options.instance;
    this.#statistics = options.statistics;
    this.#bootstrapServers = options.bootstrapServers;
    this.#adminConfig = options.adminConfig;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.refresh(), this.#intervalMs);
    this.#timer.unref();
  }

  /** One round: the ends of partitions the statistics lack. */
  async refresh(): Promise<void> {
    if (this.#running) return;
    const missing: TopicPartition[] = [];
    // Paused partitions are not fetched, so the statistics' ends of all of them go stale.
    const paused = this.#instance.isPaused();
    for (const t of this.#instance.tasks()) {
      for (const q of t.queues) {
        if (paused || this.#statistics.needsEnd(q.topic, q.partition)) {
          missing.push({ topic: q.topic, partition: q.partition });
        }
      }
    }
    if (missing.length === 0) return;
    this.#running = true;
    try {
      this.#admin ??= KafkaAdmin.create(this.#bootstrapServers, this.#adminConfig);
      const isolation = this.#instance.readCommitted ? 'read_committed' : 'read_uncommitted';
      const [ends, starts] = await Promise.all([
        this.#admin.listOffsets(missing, 'latest', isolation),
        this.#admin.listOffsets(missing, 'earliest'),
      ]);
      missing.forEach((p, i) => this.#statistics.setEnd(p.topic, p.partition, ends[i]!.offset, starts[i]!.offset));
    } catch (e) {
      // Metrics only: the next round tries again; lag stays unknown meanwhile (never a made-up number).
      this.#logger.debug(`could not read end offsets for lag: ${(e as Error).message}`);
    } finally {
      this.#running = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#admin?.close();
    this.#admin = undefined;
  }
}
