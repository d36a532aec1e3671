import { loadProcessorMetadata } from './commit-metadata.js';
import { rmSync } from 'node:fs';
import type { Logger } from '../config/logger.js';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import type { ConsumedMessage, TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import { retryKafka } from '../kafka/retry-kafka.js';
import type { Topology } from '../topology/topology.js';
import { StreamTask } from './stream-task.js';
import type { TaskEnvironment } from './task-environment.js';

/** Counters summed over the tasks an instance runs and has run. */
export interface TaskTotals {
  processed: number;
  skippedRecords: number;
  droppedRecords: number;
  deadLettered: number;
  punctuations: number;
  droppedByReason: Map<string, number>;
}

/** Totals of no task. */
export function emptyTaskTotals(): TaskTotals {
  return {
    processed: 0,
    skippedRecords: 0,
    droppedRecords: 0,
    deadLettered: 0,
    punctuations: 0,
    droppedByReason: new Map(),
  };
}

/** Adds a task's counters to `totals`. */
function addCounters(totals: TaskTotals, task: StreamTask): void {
  const m = task.metrics;
  totals.processed += m.processed;
  totals.skippedRecords += m.skippedRecords;
  totals.droppedRecords += m.droppedRecords;
  totals.deadLettered += m.deadLettered;
  totals.punctuations += m.punctuations;
  for (const [r, n] of task.droppedByReason) totals.droppedByReason.set(r, (totals.droppedByReason.get(r) ?? 0) + n);
}

/** What the task manager uses of the instance. */
export interface TaskManagerHost {
  /** Made at start: tasks are only opened after it. */
  env(): TaskEnvironment;
  /**
   * Restores the stores of (re)opened tasks from their changelogs; returns how many records it applied. A task found
   * corrupted while restoring is rebuilt and takes the old one's place in `tasks`.
   */
  restore(tasks: StreamTask[]): Promise<number>;
  consumer(): ConsumerClient;
  /** A task is about to be opened as active here (a standby of it hands its stores over). */
  taskOpening?(taskId: string): void;
}

/**
 * The tasks of one instance: creates, restores, revives and closes them, routes consumed messages to them, and keeps
 * the counters of closed tasks so the instance's metrics never go backwards.
 *
 * @see org.apache.kafka.streams.processor.internals.TaskManager
 */
export class TaskManager {
  readonly #tasks = new Map<string, StreamTask>();
  /** topic → task per partition: two lookups per message, no allocation. */
  readonly #routing = new Map<string, (StreamTask | undefined)[]>();
  readonly #closed = emptyTaskTotals();
  readonly #topology: Topology;
  readonly #host: TaskManagerHost;
  readonly #logger: Logger;
  /** Changelog records applied by restoration, over the instance's lifetime. */
  restoredRecords = 0;

  constructor(topology: Topology, host: TaskManagerHost, logger: Logger) {
    this.#topology = topology;
    this.#host = host;
    this.#logger = logger;
  }

  get size(): number {
    return this.#tasks.size;
  }

  get(id: string): StreamTask | undefined {
    return this.#tasks.get(id);
  }

  all(): StreamTask[] {
    return [...this.#tasks.values()];
  }

  /** Task ids, sorted. */
  ids(): string[] {
    return [...this.#tasks.keys()].sort();
  }

  /** Creates the task of a sub-topology and partition, and routes its input partitions to it. */
  open(subtopology: number, partition: number): StreamTask {
    this.#host.taskOpening?.(`${subtopology}_${partition}`);
    const task = new StreamTask(
      { subtopology, partition },
      this.#topology.subtopologies().find((s) => s.id === subtopology)!,
      this.#topology,
      this.#host.env(),
    );
    this.#tasks.set(task.idString, task);
    for (const tp of task.inputPartitions()) {
      let byPartition = this.#routing.get(tp.topic);
      if (!byPartition) this.#routing.set(tp.topic, (byPartition = []));
      byPartition[tp.partition] = task;
    }
    return task;
  }

  /** Closes a task; `dirty` drops what it did since its last commit (its stores roll back). */
  close(task: StreamTask, dirty: boolean): void {
    if (dirty) task.abortUncommitted();
    addCounters(this.#closed, task);
    try {
      task.close();
    } catch (e) {
      this.#logger.warn(`closing task ${task.idString} failed: ${(e as Error).message}`);
    }
    this.#tasks.delete(task.idString);
    for (const p of task.inputPartitions()) {
      const byPartition = this.#routing.get(p.topic);
      if (byPartition?.[p.partition] === task) byPartition[p.partition] = undefined;
    }
  }

  /**
   * Restores the stores of opened tasks and then initializes their processors (so `init` sees restored state); returns
   * how many changelog records were applied. A task rebuilt while restoring takes the old one's place in `tasks`.
   */
  async restoreAndInitialize(tasks: StreamTask[]): Promise<number> {
    const restored = await this.#host.restore(tasks);
    this.restoredRecords += restored;
    await loadProcessorMetadata(tasks, this.#host.consumer(), this.#logger);
    for (const t of tasks) t.initializeProcessors();
    return restored;
  }

  /**
   * Closes a task without committing and opens it again, not yet restored; `wipe` also deletes its state directory,
   * so that its stores are rebuilt from their changelogs from the start.
   */
  reopen(task: StreamTask, wipe = false): StreamTask {
    const taskDir = task.stateManager?.taskDir;
    this.close(task, true);
    if (wipe && taskDir !== undefined) rmSync(taskDir, { recursive: true, force: true });
    return this.open(task.id.subtopology, task.id.partition);
  }

  /**
   * Takes tasks back to their last commit: closes them without committing and opens them again — stores drop their
   * uncommitted writes and catch up from the changelog's committed records (`wipe`: from the start), processors start
   * fresh — and moves the consumer back to the committed offsets of their input. Returns those offsets (-1: none
   * committed; the reset policy's start is read again).
   */
  async revive(tasks: readonly StreamTask[], wipe?: StreamTask): Promise<TopicPartitionOffset[]> {
    if (tasks.length === 0) return [];
    const partitions = tasks.flatMap((t) => t.inputPartitions());
    const fresh = tasks.map((t) => this.reopen(t, t === wipe));
    await this.restoreAndInitialize(fresh);
    const consumer = this.#host.consumer();
    const retry = { logger: this.#logger };
    const committed = await retryKafka('committed', () => consumer.committed(partitions), retry);
    for (const c of committed) {
      // No committed offset yet: back to where the reset policy starts (earliest by default).
      const offset = c.offset >= 0 ? c.offset : -2;
      await retryKafka('seek', () => consumer.seek({ topic: c.topic, partition: c.partition, offset }), retry);
    }
    return committed;
  }

  closeAll(dirty: boolean): void {
    for (const t of this.all()) this.close(t, dirty);
  }

  /** Tasks reading any of the partitions. */
  reading(partitions: readonly TopicPartition[]): StreamTask[] {
    const set = new Set(partitions.map((p) => `${p.topic}:${p.partition}`));
    return this.all().filter((t) => t.inputPartitions().some((p) => set.has(`${p.topic}:${p.partition}`)));
  }

  /** Hands each message to the task of its partition. */
  route(messages: readonly ConsumedMessage[]): void {
    const routing = this.#routing;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const task = routing.get(m.topic)?.[m.partition];
      // No task: a message of a partition revoked in this very batch; it was not committed and will be re-read.
      if (task !== undefined) task.addMessage(m);
    }
  }

  /** Counters of closed and running tasks together. */
  totals(): TaskTotals {
    const c = this.#closed;
    const t: TaskTotals = { ...c, droppedByReason: new Map(c.droppedByReason) };
    for (const task of this.#tasks.values()) addCounters(t, task);
    return t;
  }
}
