import type { Logger } from '../config/logger.js';
import type { ConsumedMessage, TopicPartition } from '../kafka/kafka-types.js';
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

/**
 * The tasks of one instance: creates and closes them, routes consumed messages to them, and keeps the counters of
 * closed tasks so the instance's metrics never go backwards.
 *
 * @see org.apache.kafka.streams.processor.internals.TaskManager
 */
export class TaskManager {
  readonly #tasks = new Map<string, StreamTask>();
  /** topic → task per partition: two lookups per message, no allocation. */
  readonly #routing = new Map<string, (StreamTask | undefined)[]>();
  readonly #closed: TaskTotals = {
    processed: 0,
    skippedRecords: 0,
    droppedRecords: 0,
    deadLettered: 0,
    punctuations: 0,
    droppedByReason: new Map(),
  };
  readonly #topology: Topology;
  readonly #env: () => TaskEnvironment;
  readonly #logger: Logger;

  constructor(topology: Topology, env: () => TaskEnvironment, logger: Logger) {
    this.#topology = topology;
    this.#env = env;
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
    const task = new StreamTask(
      { subtopology, partition },
      this.#topology.subtopologies()[subtopology]!,
      this.#topology,
      this.#env(),
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
    const c = this.#closed;
    c.processed += task.metrics.processed;
    c.skippedRecords += task.metrics.skippedRecords;
    c.droppedRecords += task.metrics.droppedRecords;
    c.deadLettered += task.metrics.deadLettered;
    c.punctuations += task.metrics.punctuations;
    for (const [r, n] of task.droppedByReason) c.droppedByReason.set(r, (c.droppedByReason.get(r) ?? 0) + n);
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
    for (const task of this.#tasks.values()) {
      t.processed += task.metrics.processed;
      t.skippedRecords += task.metrics.skippedRecords;
      t.droppedRecords += task.metrics.droppedRecords;
      t.deadLettered += task.metrics.deadLettered;
      t.punctuations += task.metrics.punctuations;
      for (const [r, n] of task.droppedByReason) t.droppedByReason.set(r, (t.droppedByReason.get(r) ?? 0) + n);
    }
    return t;
  }
}
