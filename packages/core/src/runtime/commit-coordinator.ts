import { StreamsError } from '@kaskade/processor-api';
import type { Logger } from '../config/logger.js';
import { KafkaOperationError } from '../kafka/kafka-client-error.js';
import { retryKafka } from '../kafka/retry-kafka.js';
import type { KafkaAdmin } from '../kafka/kafka-admin.js';
import type { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import type { TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import type { KafkaRecordCollector } from './kafka-record-collector.js';
import { needsNewProducer } from './streams-producer.js';
import type { StreamsProducer } from './streams-producer.js';
import type { StreamTask } from './stream-task.js';
import type { TaskManager } from './task-manager.js';

/**
 * A failure that comes back after every abort and rewind is not going away: after this many in a row with the same
 * message (numbers aside), spread over at least `ESCALATE_AFTER_MS` (a broker bounce can take that long), the
 * instance gives up and goes to ERROR with the cause instead of aborting forever.
 */
const MAX_IDENTICAL_FAILURES = 5;
const ESCALATE_AFTER_MS = 15_000;

/** What the coordinator uses of the instance it commits for. */
export interface CommitHost {
  readonly exactlyOnce: boolean;
  readonly logger: Logger;
  readonly tasks: TaskManager;
  readonly collector: KafkaRecordCollector;
  readonly producer: StreamsProducer;
  consumer(): KafkaConsumerClient;
  /** An admin client kept open for the instance's lifetime (offset look-ups at every exactly-once commit). */
  admin(): KafkaAdmin;
  /** Restores the stores of (re)opened tasks from their changelogs. */
  restore(tasks: readonly StreamTask[]): Promise<void>;
  /**
   * Commit metadata to store with a partition's offset (the id of the last rewind applied to it), carried on every
   * commit so that the next owner knows. Undefined: none.
   */
  offsetMetadata?(topic: string, partition: number): string | undefined;
}

/**
 * The commit protocol of one instance. At-least-once: output and changelog records are flushed, then input offsets
 * committed, then the stores persist their writes with the changelog offsets. Exactly-once: one Kafka transaction
 * holds output, changelog records and input offsets; only after it commits do the stores persist. A failed
 * transaction is aborted (or its producer replaced when fenced) and the tasks are rewound to the last commit.
 */
export class CommitCoordinator {
  readonly #host: CommitHost;
  /** Input offsets (next to read) committed last, per `topic:partition`. */
  readonly #lastCommitted = new Map<string, number>();
  /** The last recovery's failure (numbers masked), how often it came in a row, and since when. */
  #failureKey: string | undefined;
  #identicalFailures = 0;
  #firstIdenticalAt = 0;
  commits = 0;
  recoveries = 0;
  lastCommitMs = Date.now();

  constructor(host: CommitHost) {
    this.#host = host;
  }

  get inTransaction(): boolean {
    return this.#host.producer.inTransaction;
  }

  /** Exactly-once: opens the transaction that the next records (output, changelog, offsets) belong to. */
  ensureTransaction(): Promise<void> {
    return this.#host.producer.maybeBeginTransaction();
  }

  async commit(): Promise<void> {
    if (this.#host.exactlyOnce) await this.#commitExactlyOnce();
    else await this.#commitAtLeastOnce();
    this.lastCommitMs = Date.now();
  }

  /**
   * Commits what was processed, then moves the group's committed offsets of some partitions to explicit positions
   * (with their metadata) — in a transaction of its own under exactly-once — and rebuilds the tasks reading them, so
   * that they read on from there. A rewind.
   */
  async moveCommittedOffsets(offsets: readonly TopicPartitionOffset[], tasks: readonly StreamTask[]): Promise<void> {
    await this.commit();
    if (offsets.length === 0) return;
    if (this.#host.exactlyOnce) {
      try {
        await this.ensureTransaction();
        await this.#host.producer.commitTransaction(offsets, this.#host.consumer());
      } catch (e) {
        await this.recover(e);
        throw e;
      }
    } else {
      await retryKafka('commit', () => this.#host.consumer().commit(offsets), { logger: this.#host.logger });
    }
    for (const o of offsets) this.#lastCommitted.set(`${o.topic}:${o.partition}`, o.offset);
    await this.#reviveTasks(tasks);
  }

  /** Partitions given up: the next owner commits them. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#lastCommitted.delete(`${p.topic}:${p.partition}`);
  }

  /** Best effort, when the instance fails: abort the open transaction so readers are not held up. */
  abandon(): Promise<void> {
    return this.#host.producer.abandon();
  }

  /** Offsets (next to read) that moved since the last commit. */
  #offsetsToCommit(tasks: readonly StreamTask[]): TopicPartitionOffset[] {
    const offsets: TopicPartitionOffset[] = [];
    const metadataOf = this.#host.offsetMetadata;
    for (const t of tasks) {
      for (const o of t.committableOffsets()) {
        if (this.#lastCommitted.get(`${o.topic}:${o.partition}`) === o.offset) continue;
        const metadata = metadataOf?.call(this.#host, o.topic, o.partition);
        offsets.push(metadata === undefined ? o : { ...o, metadata });
      }
    }
    return offsets;
  }

  async #commitAtLeastOnce(): Promise<void> {
    const { collector } = this.#host;
    const tasks = this.#host.tasks.all();
    for (const t of tasks) t.prepareCommit();
    // A flush that times out while a leader moves is waited out (records are never dropped for it).
    await retryKafka('flush', () => collector.flush(), { logger: this.#host.logger });
    const offsets = this.#offsetsToCommit(tasks);
    if (offsets.length > 0) {
      // The group coordinator moves with its broker: wait for the new one rather than fail.
      await retryKafka('commit', () => this.#host.consumer().commit(offsets), { logger: this.#host.logger });
      for (const o of offsets) this.#lastCommitted.set(`${o.topic}:${o.partition}`, o.offset);
    }
    const changelogOffsets = collector.changelogOffsets();
    for (const t of tasks) t.postCommit(changelogOffsets);
    this.commits++;
    this.#failureKey = undefined;
  }

  async #commitExactlyOnce(): Promise<void> {
    const { collector } = this.#host;
    const tasks = this.#host.tasks.all();
    let offsets: TopicPartitionOffset[];
    try {
      await this.ensureTransaction();
      for (const t of tasks) t.prepareCommit();
      offsets = this.#offsetsToCommit(tasks);
      if (offsets.length === 0 && !collector.hasUncommittedRecords()) return;
      await collector.drain();
      await this.#host.producer.commitTransaction(offsets, this.#host.consumer());
      collector.throwIfFailed();
    } catch (e) {
      await this.recover(e);
      return;
    }
    // Committed. What follows must never abort or rewind: a failure here (after the retries of a leader change) stops
    // the instance, and the stores, not yet persisted, catch up from the changelog at the next start.
    // The transaction's commit marker is the last record of each changelog partition it wrote: the stores reflect
    // everything below the high watermark.
    const written = collector.takeWrittenChangelogs();
    const ends = written.length > 0 ? await this.#host.admin().listOffsets(written, 'latest') : [];
    ends.forEach((o) => collector.setChangelogOffset(o.topic, o.partition, o.offset - 1));
    collector.markCommitted();
    for (const o of offsets) this.#lastCommitted.set(`${o.topic}:${o.partition}`, o.offset);
    const changelogOffsets = collector.changelogOffsets();
    for (const t of tasks) t.postCommit(changelogOffsets);
    this.commits++;
    this.#failureKey = undefined;
  }

  /**
   * After a failed exactly-once transaction: abort it (abortable errors) or replace the producer (fenced or fatal
   * errors), then rebuild the tasks from their last committed state and rewind the input to the committed offsets.
   * Errors that are neither are rethrown: they stop the instance.
   */
  async recover(error: unknown): Promise<void> {
    const e = error instanceof Error ? error : new Error(String(error));
    const op = e instanceof KafkaOperationError ? e : undefined;
    if (!op) throw e;
    const fenced = needsNewProducer(op);
    if (!fenced && !op.txnRequiresAbort && !op.retriable) throw e;
    await this.#escalateIfRepeated(e);
    this.recoveries++;
    const host = this.#host;
    host.logger.warn(
      `transaction failed (${fenced ? 'fenced or fatal: replacing the producer' : 'aborting'}), rewinding tasks to the last commit: ${op.message}`,
    );
    await host.producer.abortOrReplace(op);
    // Delivery reports of the failed transaction may still be on their way to JS; records the broker refused for good
    // are learnt from them, and this rewind is the one they ask for.
    await new Promise((r) => setTimeout(r, 20));
    host.collector.resetAfterAbort();
    host.collector.takeRewind();
    await this.#reviveTasks(host.tasks.all());
  }

  /**
   * The broker refused records for good (see `KafkaRecordCollector`): go back to the last commit — abort the open
   * transaction under exactly-once; at-least-once simply sends again what follows the committed offsets — and process
   * the input again, so the refused records reach the production exception handler with their source records.
   */
  async rewind(reason: Error): Promise<void> {
    await this.#escalateIfRepeated(reason);
    const host = this.#host;
    host.logger.warn(`rewinding tasks to the last commit: ${reason.message}`);
    this.recoveries++;
    if (this.#host.exactlyOnce && host.producer.inTransaction) {
      await host.producer.abortOrReplace(reason);
      host.collector.resetAfterAbort();
    }
    host.collector.takeRewind();
    await this.#reviveTasks(host.tasks.all());
  }

  /** Counts failures that repeat without a commit in between; throws (the instance fails) when they keep coming. */
  async #escalateIfRepeated(e: Error): Promise<void> {
    const key = e.message.replace(/\d+/g, '#');
    const now = Date.now();
    if (key !== this.#failureKey) {
      this.#failureKey = key;
      this.#identicalFailures = 0;
      this.#firstIdenticalAt = now;
    }
    this.#identicalFailures++;
    if (this.#identicalFailures >= MAX_IDENTICAL_FAILURES && now - this.#firstIdenticalAt >= ESCALATE_AFTER_MS) {
      throw new StreamsError(
        `giving up: the same failure came back ${this.#identicalFailures} times in a row over ${now - this.#firstIdenticalAt} ms, each time aborted and rewound without a commit in between: ${e.message}`,
        { cause: e, context: { failures: this.#identicalFailures } },
      );
    }
    // Back off, so a failure that keeps coming does not spin (100 ms, 200 ms, ... at most 2 s).
    if (this.#identicalFailures > 1) {
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** this.#identicalFailures)));
    }
  }

  /**
   * Closes tasks without committing and opens them again: stores drop their uncommitted writes and catch up from the
   * changelog's committed records, processors start fresh, and the input is read again from the committed offsets.
   */
  async #reviveTasks(tasks: readonly StreamTask[]): Promise<void> {
    if (tasks.length === 0) return;
    const host = this.#host;
    const partitions = tasks.flatMap((t) => t.inputPartitions());
    for (const t of tasks) host.tasks.close(t, true);
    const fresh = tasks.map((t) => host.tasks.open(t.id.subtopology, t.id.partition));
    await host.restore(fresh);
    for (const t of fresh) t.initializeProcessors();
    const consumer = host.consumer();
    const retry = { logger: host.logger };
    for (const c of await retryKafka('committed', () => consumer.committed(partitions), retry)) {
      // No committed offset yet: back to where the reset policy starts (earliest by default).
      const offset = c.offset >= 0 ? c.offset : -2;
      await retryKafka('seek', () => consumer.seek({ topic: c.topic, partition: c.partition, offset }), retry);
      if (c.offset >= 0) this.#lastCommitted.set(`${c.topic}:${c.partition}`, c.offset);
      else this.#lastCommitted.delete(`${c.topic}:${c.partition}`);
    }
  }
}
