import { Headers, ProcessingError } from '@kaskade/processor-api';
import type { TaskId } from '@kaskade/processor-api';
import type { ConsumedMessage, TopicPartitionOffset } from '../../kafka/kafka-types.js';
import type { RecordContext } from '../record-context.js';
import type { AsyncWork } from './async-work.js';
import { InFlightRecord, PartitionInFlight } from './in-flight-record.js';

/** What the runner needs of its task: the record context it sets while applying results, and error handling. */
export interface AsyncTaskHost {
  readonly id: TaskId;
  readonly idString: string;
  /** The record being processed: set to a result's input record while it is forwarded. */
  readonly context: RecordContext;
  commitNeeded: boolean;
  /**
   * A record's processing failed: ask the processing exception handler (throws when it says FAIL). `userError` is true
   * for the failure of the asynchronous call itself (an `AsyncProcessingError`, which the handler must see).
   */
  handleProcessingFailure(m: ConsumedMessage, headers: Headers, error: unknown, userError: boolean): void;
}

/** Per-node limits and abandonment, as the runner sees a node. */
export interface AsyncRunnerNode {
  readonly held: number;
  readonly maxInFlight: number;
  abandon(): void;
}

/**
 * The asynchronous work of one task. Calls run in the background; their results are collected here and applied on
 * the task's loop (`applyCompletions`, at the start of every `process`) with the context of the record they belong to,
 * so the task stays single-threaded in its effects. Tracks, per input partition, the oldest record with unfinished
 * work: the committable offset never passes it.
 *
 * Exactly-once: results are applied in offset order per partition (a finished record waits for the older ones), so
 * that a transaction only ever holds the effects of records below the offsets it commits; at-least-once applies them
 * as they come (per-key order is kept either way).
 */
export class AsyncTaskRunner {
  readonly #host: AsyncTaskHost;
  readonly #ordered: boolean;
  readonly #nodes: AsyncRunnerNode[] = [];
  readonly #partitions = new Map<string, PartitionInFlight>();
  #completed: AsyncWork[] = [];
  #waiters: (() => void)[] = [];
  /** The source record whose results are being applied: work submitted meanwhile belongs to it. */
  #current: InFlightRecord | undefined;
  #inFlight = 0;
  #closed = false;

  constructor(host: AsyncTaskHost, exactlyOnce: boolean) {
    this.#host = host;
    this.#ordered = exactlyOnce;
  }

  get taskId(): TaskId {
    return this.#host.id;
  }

  /** Work submitted and not yet applied, over all asynchronous nodes of the task. */
  get inFlight(): number {
    return this.#inFlight;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True while some node holds as many records as it may: the task takes no more input. */
  get saturated(): boolean {
    const nodes = this.#nodes;
    for (let i = 0; i < nodes.length; i++) if (nodes[i]!.held >= nodes[i]!.maxInFlight) return true;
    return false;
  }

  /** Whether results are waiting to be applied. */
  get hasCompletions(): boolean {
    return this.#completed.length > 0;
  }

  register(node: AsyncRunnerNode): void {
    this.#nodes.push(node);
  }

  /** The task's timestamp of the record being processed (what results are forwarded with as context). */
  get currentTimestamp(): number {
    return this.#host.context.timestamp;
  }

  /** The source record of what the task is processing now (undefined in a punctuation). */
  sourceOfCurrent(): InFlightRecord | undefined {
    if (this.#current !== undefined) return this.#current;
    const host = this.#host.context;
    const topic = host.topic;
    if (topic === undefined) return undefined;
    let p = this.#partitions.get(topic);
    if (p === undefined) this.#partitions.set(topic, (p = new PartitionInFlight()));
    const newest = p.newest;
    if (newest !== undefined && newest.offset === host.offset) return newest;
    const record = new InFlightRecord(topic, host.partition, host.offset, host.message);
    p.add(record);
    return record;
  }

  /** A node started (or queued) work. */
  submitted(work: AsyncWork): void {
    this.#inFlight++;
    if (work.source !== undefined) work.source.pending++;
  }

  /** Called from the work's promise: only queues it; nothing of the task is touched here. */
  complete(work: AsyncWork): void {
    if (this.#closed) return;
    this.#completed.push(work);
    this.#wake();
  }

  /** Resolves once a result arrives (or the runner is abandoned). */
  whenCompleted(): Promise<void> {
    if (this.#completed.length > 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Moves each partition's offset (next to read) back to its oldest record with unfinished work, if any. */
  holdBack(offsets: TopicPartitionOffset[]): TopicPartitionOffset[] {
    for (let i = 0; i < offsets.length; i++) {
      const o = offsets[i]!;
      const oldest = this.#partitions.get(o.topic)?.oldest;
      if (oldest !== undefined && oldest.offset < o.offset) offsets[i] = { ...o, offset: oldest.offset };
    }
    return offsets;
  }

  /** Applies the results that arrived, on the task's loop. Throws when the exception handler says FAIL. */
  applyCompletions(): void {
    if (this.#completed.length === 0) return;
    const batch = this.#completed;
    this.#completed = [];
    if (!this.#ordered) {
      for (let i = 0; i < batch.length; i++) this.#apply(batch[i]!);
      return;
    }
    let touched: Set<PartitionInFlight> | undefined;
    for (let i = 0; i < batch.length; i++) {
      const work = batch[i]!;
      const source = work.source;
      if (source === undefined) {
        this.#apply(work);
        continue;
      }
      source.completed.push(work);
      (touched ??= new Set()).add(this.#partitions.get(source.topic)!);
    }
    if (touched) for (const p of touched) this.#applyInOrder(p);
  }

  /** Gives all in-flight work up (rebalance, close, abort): results that still arrive are ignored. */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const n of this.#nodes) n.abandon();
    this.#completed = [];
    this.#partitions.clear();
    this.#inFlight = 0;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Exactly-once: applies finished work from the oldest record of the partition on, stopping at an unfinished one. */
  #applyInOrder(p: PartitionInFlight): void {
    for (let oldest = p.oldest; oldest !== undefined; oldest = p.oldest) {
      while (oldest.completed.length > 0) this.#apply(oldest.completed.shift()!);
      if (oldest.pending > 0) return;
      p.dropFinished();
    }
  }

  #apply(work: AsyncWork): void {
    if (this.#closed) return;
    const host = this.#host;
    const context = host.context;
    const source = work.source;
    const saved = {
      node: context.nodeName,
      topic: context.topic,
      partition: context.partition,
      offset: context.offset,
      timestamp: context.timestamp,
      message: context.message,
    };
    const previous = this.#current;
    context.nodeName = work.node.name;
    context.topic = source?.topic;
    context.partition = source?.partition ?? -1;
    context.offset = source?.offset ?? -1;
    context.timestamp = work.timestamp;
    context.message = source?.message;
    this.#current = source;
    try {
      this.#forwardOrHandle(work);
    } finally {
      context.nodeName = saved.node;
      context.topic = saved.topic;
      context.partition = saved.partition;
      context.offset = saved.offset;
      context.timestamp = saved.timestamp;
      context.message = saved.message;
      this.#current = previous;
    }
    if (this.#closed) return;
    this.#inFlight--;
    work.node.applied(work);
    host.commitNeeded = true;
    if (source !== undefined) {
      source.pending--;
      if (!this.#ordered && source.pending === 0) this.#partitions.get(source.topic)?.dropFinished();
    }
  }

  #forwardOrHandle(work: AsyncWork): void {
    const m = work.source?.message;
    const headers = work.record.headers ?? Headers.EMPTY;
    if (work.error !== undefined) {
      if (m === undefined) throw this.#withoutSource(work, work.error);
      this.#host.handleProcessingFailure(m, headers, work.error, true);
      return;
    }
    try {
      const outputs = work.outputs!;
      for (let i = 0; i < outputs.length; i++) work.node.forward(outputs[i]!);
    } catch (e) {
      if (m === undefined) throw this.#withoutSource(work, e);
      this.#host.handleProcessingFailure(m, headers, e, false);
    }
  }

  /** A failure of work that a punctuation started: there is no source record to hand to the handler. */
  #withoutSource(work: AsyncWork, e: unknown): Error {
    return new ProcessingError(
      `asynchronous processor "${work.node.name}" failed on a record forwarded by a punctuation (task ${this.#host.idString}): ${(e as Error)?.message}`,
      { cause: e, context: { taskId: this.#host.idString, node: work.node.name } },
    );
  }
}
