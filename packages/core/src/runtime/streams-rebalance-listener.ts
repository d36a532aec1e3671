import type { StreamsConfig } from '../config/streams-config.js';
import type { ControlApplier } from '../control/control-applier.js';
import type { RebalanceEvent } from '../kafka/kafka-consumer-client.js';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import type { OffsetResetPolicy } from '../topology/node-definitions.js';
import type { CommitCoordinator } from './commit-coordinator.js';
import type { TopicRateLimits } from './topic-rate-limits.js';
import type { AsyncFlowControl } from './async/async-flow-control.js';
import { RebalanceTimer } from './rebalance-timer.js';
import { splitTasks } from './split-tasks.js';
import { startOffsets } from './start-offsets.js';
import type { StreamTask } from './stream-task.js';
import type { TaskManager } from './task-manager.js';

/** What the listener uses of its thread. */
export interface RebalanceListenerHost {
  readonly config: StreamsConfig;
  readonly tasks: TaskManager;
  readonly committer: CommitCoordinator;
  readonly consumer: ConsumerClient;
  /** Source topic → the sub-topology that reads it. */
  readonly topicToSubtopology: ReadonlyMap<string, number>;
  /** Sources with a reset policy of their own. */
  readonly resetPolicies: ReadonlyMap<string, OffsetResetPolicy>;
  /** How long the last restoration spent opening stores. */
  lastStoreOpenMs(): number;
  isPaused(): boolean;
  control(): ControlApplier | undefined;
  /** Asynchronous operators: backpressure state, and letting in-flight calls finish before a commit. */
  asyncFlow(): AsyncFlowControl | undefined;
  /** `maxRecordsPerSecondByTopic`: partitions held back for their topic's budget. */
  readonly topicRateLimits: TopicRateLimits | undefined;
  settleAsync(tasks: readonly StreamTask[]): Promise<void>;
}

/**
 * What the thread does when the group takes partitions away or hands new ones over (between batches, never inside
 * the consumer's callback): commit and close the tasks given up; create, restore and initialize the tasks of new
 * partitions and place the consumer at their start offsets. Times every phase (see `RebalanceTimer`).
 *
 * @see org.apache.kafka.streams.processor.internals.StreamsRebalanceListener
 */
export class StreamsRebalanceListener {
  readonly #host: RebalanceListenerHost;
  readonly #timer: RebalanceTimer;

  constructor(host: RebalanceListenerHost) {
    this.#host = host;
    this.#timer = new RebalanceTimer(host.config.logger);
  }

  /** Subscribed: the group's part of the first rebalance begins. */
  waiting(): void {
    this.#timer.waiting();
  }

  /** A batch brought records: the first one after an assignment ends its timing. */
  recordsArrived(): void {
    if (this.#timer.awaitingFirstRecord) this.#timer.firstRecord();
  }

  async onRevoked(event: RebalanceEvent): Promise<void> {
    const { tasks, committer, consumer } = this.#host;
    const affected = tasks.reading(event.partitions);
    if (!event.lost && affected.length > 0) {
      // Commit before giving partitions up, so the next owner starts where this one stopped.
      const commitStart = Date.now();
      await this.#host.settleAsync(affected);
      await committer.commit();
      this.#timer.revocationCommitted(Date.now() - commitStart);
    }
    for (const t of affected) tasks.close(t, event.lost);
    if (event.lost && committer.inTransaction) {
      // The one open transaction also holds the work of the tasks we keep: abort it and rewind them.
      await committer.rewind({ kind: 'partitions-lost' });
    }
    consumer.unassign(event.partitions, event.protocol);
    committer.forget(event.partitions);
    this.#host.asyncFlow()?.forget(event.partitions);
    this.#host.topicRateLimits?.forget(event.partitions);
    this.#host.control()?.forget(event.partitions);
    this.#timer.waiting();
  }

  async onAssigned(event: RebalanceEvent, arrivedAt: number): Promise<void> {
    const { tasks, consumer, config } = this.#host;
    const created: StreamTask[] = [];
    for (const tp of event.partitions) {
      const sub = this.#host.topicToSubtopology.get(tp.topic);
      if (sub === undefined) continue;
      if (!tasks.get(`${sub}_${tp.partition}`)) created.push(tasks.open(sub, tp.partition));
    }
    let storeOpenMs = 0;
    let restoreMs = 0;
    let restoredRecords = 0;
    if (created.length > 0) {
      const restoreStart = Date.now();
      restoredRecords = await tasks.restoreAndInitialize(created);
      storeOpenMs = this.#host.lastStoreOpenMs();
      restoreMs = Date.now() - restoreStart - storeOpenMs;
    }
    // A rewind these partitions have not had yet: committed now, so they are assigned at the rewound offsets.
    await this.#host.control()?.onAssigned(event.partitions);
    const start = await startOffsets(event.partitions, this.#host.resetPolicies, consumer, config);
    if (start.length > 0) {
      // Some sources have their own reset policy and no committed offset: assign them at explicit offsets.
      const explicit = new Map(start.map((s) => [`${s.topic}:${s.partition}`, s.offset]));
      const rest = event.partitions.filter((p) => !explicit.has(`${p.topic}:${p.partition}`));
      // -1000: librdkafka's "the committed offset" (the others have one). A seek right after an incremental assign
      // fails (the partition is not fetching yet), so the offsets go with the assignment itself.
      consumer.assignAt([...rest.map((p) => ({ ...p, offset: -1000 })), ...start], event.protocol);
    } else {
      consumer.assign(event.partitions, event.protocol);
    }
    const split = splitTasks(consumer.assignments(), this.#host.topicToSubtopology);
    if (split.length > 0) {
      // The group's assignor does not keep co-partitioned partitions together: joins would miss records.
      config.logger.error(
        `tasks ${split.join(', ')} got only some of their co-partitioned input partitions; use groupProtocol: 'classic'`,
      );
    }
    if (this.#host.isPaused()) consumer.pause(event.partitions);
    this.#host.asyncFlow()?.assigned(event.partitions, consumer, this.#host.isPaused());
    this.#host.topicRateLimits?.assigned(event.partitions, consumer, this.#host.isPaused());
    config.logger.info(`assigned ${event.partitions.length} partitions; active tasks: ${tasks.ids().join(', ')}`);
    this.#timer.assigned({
      arrivedAt,
      partitions: event.partitions.length,
      newTasks: created.length,
      storeOpenMs,
      restoreMs,
      restoredRecords,
    });
  }
}
