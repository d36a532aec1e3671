import type { Logger } from '../../config/logger.js';
import type { ConsumerClient } from '../../kafka/consumer-client.js';
import type { TopicPartition } from '../../kafka/kafka-types.js';
import type { Topology } from '../../topology/topology.js';
import type { StreamTask } from '../stream-task.js';
import { hasEffectsBeforeAsync } from './effects-before-async.js';

/** How long a poll may wait while calls are in flight: their results are applied between polls. */
const BUSY_POLL_MS = 10;

/**
 * The run loop's side of asynchronous processing: pauses fetching for tasks whose asynchronous operators hold as
 * much as they may (no unbounded queue), polls briefly while calls are in flight (so results are applied soon after
 * they arrive), and lets rebalances and close wait for in-flight work. Instances whose topology has no asynchronous
 * operator never create one.
 */
export class AsyncFlowControl {
  readonly #pollMs: number;
  readonly #exactlyOnce: boolean;
  readonly #topology: Topology;
  readonly #paused = new Set<string>();
  /** Partitions given up while paused here: the client keeps them paused, so they are resumed when they come back. */
  readonly #resumeOnAssign = new Set<string>();
  /** Per sub-topology: whether an exactly-once commit must wait for its tasks' in-flight work. */
  readonly #quiesce = new Map<number, boolean>();
  #busy = false;

  constructor(topology: Topology, pollMs: number, exactlyOnce: boolean) {
    this.#topology = topology;
    this.#pollMs = pollMs;
    this.#exactlyOnce = exactlyOnce;
  }

  /**
   * Exactly-once, before every commit: tasks whose records can have effects before their asynchronous step finish
   * their in-flight work first (no new input is taken meanwhile), so the transaction never holds part of a record.
   * Every call ends on its own (timeout and retries), so this waits until they have.
   */
  async beforeCommit(tasks: readonly StreamTask[]): Promise<void> {
    if (!this.#exactlyOnce) return;
    const waiting = tasks.filter((t) => (t.asyncRunner?.inFlight ?? 0) > 0 && this.#mustQuiesce(t));
    if (waiting.length === 0) return;
    let left = await AsyncFlowControl.settle(waiting, 60_000);
    while (left > 0) left = await AsyncFlowControl.settle(waiting, 60_000);
  }

  #mustQuiesce(task: StreamTask): boolean {
    const id = task.id.subtopology;
    let must = this.#quiesce.get(id);
    if (must === undefined) this.#quiesce.set(id, (must = hasEffectsBeforeAsync(this.#topology, task.subtopology)));
    return must;
  }

  /**
   * After a batch: pause the partitions of saturated tasks, resume those of tasks that have room again (unless the
   * whole instance is paused, or `heldElsewhere` says another pause — a topic's rate limit — still holds it),
   * and choose the next poll's timeout.
   */
  afterBatch(
    tasks: readonly StreamTask[],
    consumer: ConsumerClient,
    instancePaused: boolean,
    heldElsewhere?: (tp: TopicPartition) => boolean,
  ): void {
    let busy = false;
    const pause: TopicPartition[] = [];
    const resume: TopicPartition[] = [];
    for (const task of tasks) {
      const runner = task.asyncRunner;
      if (runner === undefined) continue;
      if (runner.inFlight > 0) busy = true;
      const full = runner.saturated;
      for (const tp of task.inputPartitions()) {
        const key = `${tp.topic}:${tp.partition}`;
        if (full && !this.#paused.has(key)) {
          this.#paused.add(key);
          pause.push(tp);
        } else if (!full && this.#paused.has(key)) {
          this.#paused.delete(key);
          if (!instancePaused && !heldElsewhere?.(tp)) resume.push(tp);
        }
      }
    }
    if (pause.length > 0) consumer.pause(pause);
    if (resume.length > 0) consumer.resume(resume);
    if (busy !== this.#busy) {
      this.#busy = busy;
      consumer.setPollTimeout(busy ? Math.min(BUSY_POLL_MS, this.#pollMs) : this.#pollMs);
    }
  }

  /** Whether this partition is paused here (its task is saturated): other pauses must not resume it. */
  holds(tp: TopicPartition): boolean {
    return this.#paused.has(`${tp.topic}:${tp.partition}`);
  }

  /** Every assigned partition was resumed (the instance's `resume()`): none is paused here any more. */
  resumedAll(): void {
    this.#paused.clear();
  }

  /** Partitions given up: their tasks are gone, so is the reason to pause them. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      const key = `${p.topic}:${p.partition}`;
      if (this.#paused.delete(key)) this.#resumeOnAssign.add(key);
    }
  }

  /** Partitions assigned: those this instance paused before it gave them up are resumed (unless it is paused). */
  assigned(partitions: readonly TopicPartition[], consumer: ConsumerClient, instancePaused: boolean): void {
    if (this.#resumeOnAssign.size === 0) return;
    const resume = partitions.filter((p) => this.#resumeOnAssign.delete(`${p.topic}:${p.partition}`));
    if (resume.length > 0 && !instancePaused) consumer.resume(resume);
  }

  /** {@link settle}, saying in the log what was given up. */
  static async drain(tasks: readonly StreamTask[], timeoutMs: number, logger: Logger): Promise<void> {
    const left = await AsyncFlowControl.settle(tasks, timeoutMs);
    if (left > 0) {
      logger.warn(
        `giving up ${left} asynchronous calls still in flight after ${timeoutMs} ms (their records are not committed and will be processed again)`,
      );
    }
  }

  /**
   * Waits (up to `timeoutMs`) for the in-flight work of tasks, applying results as they come, before a commit that
   * gives the tasks up (rebalance, close). Work still running then is abandoned by the caller closing the task; its
   * records were not committed, so the next owner processes them. Returns how many pieces of work were left.
   */
  static async settle(tasks: readonly StreamTask[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let left = 0;
      const waits: Promise<void>[] = [];
      for (const task of tasks) {
        const runner = task.asyncRunner;
        if (runner === undefined || runner.closed) continue;
        task.process(0);
        if (runner.inFlight > 0) {
          left += runner.inFlight;
          waits.push(runner.whenCompleted());
        }
      }
      const remaining = deadline - Date.now();
      if (left === 0 || remaining <= 0) return left;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([...waits, new Promise<void>((r) => (timer = setTimeout(r, remaining)))]);
      clearTimeout(timer);
    }
  }
}
