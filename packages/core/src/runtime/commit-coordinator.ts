import { StreamsError } from '@kaskade/processor-api';
import type { Logger } from '../config/logger.js';
import { KafkaOperationError } from '../kafka/kafka-client-error.js';
import { retryKafka } from '../kafka/retry-kafka.js';
import type { KafkaAdmin } from '../kafka/kafka-admin.js';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import type { TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import type { KafkaRecordCollector } from './kafka-record-collector.js';
import { isFailedCommit, needsNewProducer } from './streams-producer.js';
import { commitMetadataFor } from './commit-metadata.js';
import { existingProcessorMetadata } from './processor-metadata.js';
import { rewindCauseError } from './rewind-cause.js';
import type { RewindCause } from './rewind-cause.js';
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
  consumer(): ConsumerClient;
  /** An admin client kept open for the instance's lifetime (offset look-ups at every exactly-once commit). */
  admin(): KafkaAdmin;
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
        if (isFailedCommit(e)) {
          await this.rewind({ kind: 'transaction-failed', error: e });
        }
        throw e;
      }
    } else {
      await retryKafka('commit', () => this.#host.consumer().commit(offsets), { logger: this.#host.logger });
    }
    for (const o of offsets) this.#lastCommitted.set(`${o.topic}:${o.partition}`, o.offset);
    await this.#revive(tasks);
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
      // Processor metadata that changed is committed even where the offset did not move.
      const metadataChanged = existingProcessorMetadata(t)?.needsCommit === true;
      for (const o of t.committableOffsets()) {
        if (this.#lastCommitted.get(`${o.topic}:${o.partition}`) === o.offset && !metadataChanged) continue;
        const metadata = commitMetadataFor(t, metadataOf?.call(this.#host, o.topic, o.partition));
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
    for (const t of tasks) committed(t, changelogOffsets);
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
      // Anything but a failed transaction (a bug, a refused record) stops the instance.
      if (!isFailedCommit(e)) throw e;
      await this.rewind({ kind: 'transaction-failed', error: e });
      return;
    }
    // Committed. What follows must never abort or rewind: a failure here (after the retries of a leader change) stops
    // the instance, and the stores, not yet persisted, catch up from the changelog at the next start.
    // The transaction's commit marker is the last record of each changelog partition it wrote: the stores reflect
    // everything below the high watermark.
    let written = collector.takeWrittenChangelogs();
    if (written.length > 0 && this.#host.producer.reportsEveryDelivery) {
      // The native producer reports each record's offset: the markers follow the last ones, which saves a round trip
      // to the broker per commit. (The Kafka client under exactly-once reports errors only: waiting for its reports
      // would never end, so it keeps asking.)
      await collector.awaitDeliveryReports();
      written = collector.changelogMarkersFromDeliveries(written);
    }
    const ends = written.length > 0 ? await this.#host.admin().listOffsets(written, 'latest') : [];
    ends.forEach((o) => collector.setChangelogOffset(o.topic, o.partition, o.offset - 1));
    collector.markCommitted();
    for (const o of offsets) this.#lastCommitted.set(`${o.topic}:${o.partition}`, o.offset);
    const changelogOffsets = collector.changelogOffsets();
    for (const t of tasks) committed(t, changelogOffsets);
    this.commits++;
    this.#failureKey = undefined;
  }

  /**
   * Goes back to the last commit, for `cause` (see {@link RewindCause}): ends the open transaction (aborted, or its
   * producer replaced when fenced or fatal), rebuilds the tasks from their last committed state and moves the input
   * back to the committed offsets. At-least-once has no transaction: what follows the committed offsets is simply
   * processed and sent again. Throws when the same failure keeps coming back (the instance fails).
   */
  async rewind(cause: RewindCause): Promise<void> {
    const error = rewindCauseError(cause);
    await this.#escalateIfRepeated(error);
    this.recoveries++;
    const { producer, collector, logger } = this.#host;
    const endTransaction = cause.kind === 'records-refused' ? producer.inTransaction : this.#host.exactlyOnce;
    const replace = endTransaction && error instanceof KafkaOperationError && needsNewProducer(error);
    logger.warn(
      `${endTransaction ? `${replace ? 'replacing the fenced or failed producer' : 'aborting the transaction'} (${cause.kind}), ` : ''}rewinding tasks to the last commit: ${error.message}`,
    );
    if (endTransaction) {
      await producer.abortOrReplace(error);
      // Delivery reports of the failed transaction may still be on their way to JS; records the broker refused for
      // good are learnt from them, and this rewind is the one they ask for.
      if (cause.kind !== 'records-refused') await new Promise((r) => setTimeout(r, 20));
      collector.resetAfterAbort();
    }
    collector.takeRewind();
    await this.#revive(this.#host.tasks.all(), cause.kind === 'state-corrupted' ? cause.task : undefined);
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

  /** Takes tasks back to their last commit (see `TaskManager.revive`), and learns the offsets committed for them. */
  async #revive(tasks: readonly StreamTask[], wipe?: StreamTask): Promise<void> {
    for (const c of await this.#host.tasks.revive(tasks, wipe)) {
      if (c.offset >= 0) this.#lastCommitted.set(`${c.topic}:${c.partition}`, c.offset);
      else this.#lastCommitted.delete(`${c.topic}:${c.partition}`);
    }
  }
}

/** A task's commit is done: stores persist, and its processor metadata is as committed. */
function committed(task: StreamTask, changelogOffsets: ReadonlyMap<string, number>): void {
  task.postCommit(changelogOffsets);
  const metadata = existingProcessorMetadata(task);
  if (metadata !== undefined) metadata.needsCommit = false;
}
