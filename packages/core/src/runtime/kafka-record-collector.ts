import { ProductionError } from '@kaskade/processor-api';
import type { Headers } from '@kaskade/processor-api';
import type { ProductionExceptionHandler } from '../errors/exception-handlers.js';
import { UndeliverableRecordError } from '../errors/undeliverable-record-error.js';
import { KafkaOperationError } from '../kafka/kafka-client-error.js';
import { topicPartitionName } from '../kafka/topic-partition-name.js';
import { isTransientKafkaError } from '../kafka/retry-kafka.js';
import type { DeliveryReport } from '../kafka/kafka-types.js';
import { toWireHeaders } from '../kafka/message-headers.js';
import type { RecordCollector } from './record-collector.js';
import type { StreamsProducer } from './streams-producer.js';

/** librdkafka's codes for messages purged from the queue (an aborted transaction). */
const PURGED = new Set([-152 /* _PURGE_QUEUE */, -151 /* _PURGE_INFLIGHT */]);
/** Codes after which no record to the same topic can be delivered. */
const TOPIC_UNDELIVERABLE = new Set([
  3 /* UNKNOWN_TOPIC_OR_PARTITION */, -188 /* _UNKNOWN_TOPIC */, 17 /* INVALID_TOPIC_EXCEPTION */,
  29 /* TOPIC_AUTHORIZATION_FAILED */,
]);
/** Codes for a record larger than the broker or the topic allows (`message.max.bytes`, `max.message.bytes`). */
const TOO_LARGE = new Set([10 /* MSG_SIZE_TOO_LARGE */, 18 /* RECORD_LIST_TOO_LARGE */]);

/** A partition number the topic does not have (a custom partitioner's mistake). */
const UNKNOWN_PARTITION = -190;

function kafkaCode(error: Error): number {
  return error instanceof KafkaOperationError ? error.kafkaCode : ((error as { kafkaCode?: number }).kafkaCode ?? 0);
}

function byteLength(b: Buffer | string | null | undefined): number {
  return b == null ? 0 : typeof b === 'string' ? Buffer.byteLength(b) : b.length;
}

interface Overflow {
  topic: string;
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: Headers;
}

/**
 * The runtime's collector: hands records to the producer without waiting, remembers delivery failures and the
 * highest delivered offset of every changelog partition (stores persist it with their data at commit).
 *
 * @see org.apache.kafka.streams.processor.internals.RecordCollectorImpl
 */
export class KafkaRecordCollector implements RecordCollector {
  readonly #producer: StreamsProducer;
  readonly #partitionCounts: Map<string, number>;
  readonly #productionHandler: ProductionExceptionHandler;
  readonly #changelogOffsets = new Map<string, number>();
  /** Delivered changelog offsets not yet folded into `#changelogOffsets`: topic → highest offset by partition. */
  readonly #deliveredChangelog = new Map<string, number[]>();
  #isChangelog: (topic: string) => boolean;
  readonly #overflow: Overflow[] = [];
  #fatal: Error | undefined;
  /** Records handed to the producer, and delivery reports received for them. */
  #produced = 0;
  #acked = 0;
  #producedAtCommit = 0;
  /**
   * Exactly-once runs the producer with delivery reports for errors only (a failed send fails the transaction anyway);
   * then the changelog partitions written in the transaction are remembered, and their offsets are read from the
   * broker after the commit instead of from one delivery report per record.
   */
  readonly #trackWrittenChangelogs: boolean;
  readonly #writtenChangelogs = new Map<string, Set<number>>();
  #committedChangelogOffsets = new Map<string, number>();
  sent = 0;
  failedAndSkipped = 0;
  /** Topics the broker refused for good (unknown, not authorized): later records to them are refused before sending. */
  readonly #blockedTopics = new Map<string, Error>();
  /** Per topic, the size above which the broker refused a record: larger ones are refused before sending. */
  readonly #maxBytes = new Map<string, { bytes: number; error: Error }>();
  /**
   * Per topic, the largest record the broker refused as too large since the last rewind. A refused batch takes the
   * small records batched with a large one down too, so the largest refused record tells the limit, not each one.
   */
  readonly #refusedSizes = new Map<string, { bytes: number; error: Error }>();
  /** Set when the broker refused records for good: the tasks must rewind to their last commit (see `takeRewind`). */
  #rewind: ProductionError | undefined;

  constructor(
    producer: StreamsProducer,
    productionHandler: ProductionExceptionHandler,
    partitionCounts: Map<string, number>,
    isChangelog: (topic: string) => boolean,
    options: { errorReportsOnly?: boolean } = {},
  ) {
    this.#producer = producer;
    this.#trackWrittenChangelogs = options.errorReportsOnly === true;
    this.#productionHandler = productionHandler;
    this.#partitionCounts = partitionCounts;
    this.#isChangelog = isChangelog;
  }

  /** To be passed as the producer's `onDelivery`. */
  readonly onDelivery = (report: DeliveryReport): void => {
    this.#acked++;
    // Messages purged by an aborted transaction were never meant to be delivered.
    if (report.error && PURGED.has(kafkaCode(report.error))) return;
    if (report.error) {
      const code = kafkaCode(report.error);
      if (!this.#isChangelog(report.topic) && (TOPIC_UNDELIVERABLE.has(code) || TOO_LARGE.has(code))) {
        this.#learnUndeliverable(report, TOO_LARGE.has(code));
        return;
      }
      const where = topicPartitionName(report.topic, report.partition);
      if (isTransientKafkaError(report.error)) {
        // Not delivered in time while a leader moved or a broker restarted (librdkafka already retried up to
        // message.timeout.ms): not the record's fault, and no reason to drop it or to stop. Going back to the last
        // commit sends it again (exactly-once: the transaction is aborted anyway); a failure that keeps coming back
        // escalates (see CommitCoordinator).
        this.#rewind ??= new ProductionError(
          `records to ${where} were not delivered: ${report.error.message}; rewinding to the last commit to send them again`,
          { cause: report.error, context: { topic: report.topic, partition: report.partition } },
        );
        return;
      }
      const response = this.#productionHandler.handle(
        { topic: report.topic, ...(report.partition >= 0 ? { partition: report.partition } : {}) },
        report.error,
      );
      if (response.action === 'FAIL') {
        this.#fatal ??= new ProductionError(`could not produce to ${where}: ${report.error.message}`, {
          cause: report.error,
          context: { topic: report.topic, partition: report.partition },
        });
      } else this.failedAndSkipped++;
      return;
    }
    if (this.#isChangelog(report.topic)) this.#noteChangelogOffset(report.topic, report.partition, report.offset);
  };

  /** To be passed as the native producer's `onDelivered`: records delivered to a partition, with the last offset. */
  readonly onDelivered = (topic: string, partition: number, count: number, lastOffset: number): void => {
    this.#acked += count;
    if (this.#isChangelog(topic)) this.#noteChangelogOffset(topic, partition, lastOffset);
  };

  #noteChangelogOffset(topic: string, partition: number, offset: number): void {
    // Per record: arrays by partition, no key string; the `topic:partition` map is built once per commit.
    let byPartition = this.#deliveredChangelog.get(topic);
    if (!byPartition) this.#deliveredChangelog.set(topic, (byPartition = []));
    const prev = byPartition[partition];
    if (prev === undefined || offset > prev) byPartition[partition] = offset;
  }

  send(
    topic: string,
    partition: number,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
  ): void {
    this.sent++;
    if (this.#trackWrittenChangelogs && this.#isChangelog(topic)) {
      let parts = this.#writtenChangelogs.get(topic);
      if (!parts) this.#writtenChangelogs.set(topic, (parts = new Set()));
      parts.add(partition);
    }
    if (this.#blockedTopics.size > 0 || this.#maxBytes.size > 0) this.#refuseUndeliverable(topic, key, value);
    // Keep order: once something overflowed, everything queues behind it until the runtime drains.
    if (this.#overflow.length > 0 || !this.#produce(topic, partition, key, value, timestamp, headers)) {
      this.#overflow.push({ topic, partition, key, value, timestamp, headers });
    } else this.#produced++;
  }

  /** Hands one record to the producer; false when its queue is full. A record the client refuses at once throws. */
  #produce(
    topic: string,
    partition: number,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
  ): boolean {
    try {
      return this.#producer.produce(topic, partition, value, key, timestamp, toWireHeaders(headers));
    } catch (e) {
      const error = e as Error;
      // Only what is wrong with this record; a fenced or failed producer is the transaction's business.
      const code = kafkaCode(error);
      if (!TOO_LARGE.has(code) && !TOPIC_UNDELIVERABLE.has(code) && code !== UNKNOWN_PARTITION) throw error;
      const bytes = byteLength(key) + byteLength(value);
      const why = TOO_LARGE.has(code)
        ? `the record (${bytes} bytes of key and value) is larger than the producer allows (its message.max.bytes)`
        : error.message;
      throw new UndeliverableRecordError(`cannot produce to ${topicPartitionName(topic, partition)}: ${why}`, {
        cause: error,
        context: { topic, partition, bytes },
      });
    }
  }

  /** Refuses a record like one the broker refused for good (a rewind hands it to the production handler). */
  #refuseUndeliverable(topic: string, key: Buffer | null, value: Buffer | null): void {
    const blocked = this.#blockedTopics.get(topic);
    if (blocked) {
      throw new UndeliverableRecordError(`cannot produce to ${topic}: ${blocked.message}`, {
        cause: blocked,
        context: { topic },
      });
    }
    const max = this.#maxBytes.get(topic);
    if (max === undefined) return;
    const bytes = byteLength(key) + byteLength(value);
    if (bytes > max.bytes) {
      throw new UndeliverableRecordError(
        `cannot produce to ${topic}: the record (${bytes} bytes of key and value) is larger than the topic accepts (the broker refused one of ${max.bytes + 1} bytes: ${max.error.message})`,
        { cause: max.error, context: { topic, bytes } },
      );
    }
  }

  #learnUndeliverable(report: DeliveryReport, tooLarge: boolean): void {
    const error = report.error!;
    const { topic } = report;
    if (tooLarge) {
      const r = report as DeliveryReport & { size?: number; key?: Buffer | string | null };
      const bytes = byteLength(r.key) + (r.size ?? 0);
      const prev = this.#refusedSizes.get(topic);
      if (prev === undefined || bytes > prev.bytes) this.#refusedSizes.set(topic, { bytes, error });
    } else this.#blockedTopics.set(topic, error);
    this.#rewind ??= new UndeliverableRecordError(
      `the broker refused records to ${topicPartitionName(topic, report.partition)} for good: ${error.message}; rewinding to the last commit so the production exception handler decides about each one`,
      { cause: error, context: { topic, partition: report.partition } },
    );
  }

  /** True when the broker refused records for good since the last rewind: the tasks must go back to their last commit. */
  get rewindRequested(): boolean {
    return this.#rewind !== undefined;
  }

  /** Clears the rewind request (the runtime is rewinding). */
  takeRewind(): ProductionError | undefined {
    const r = this.#rewind;
    this.#rewind = undefined;
    // From now on, records as large as the largest refused one are refused before sending. A limit set too high (a
    // refused record that was not the largest in its batch) is lowered by the next round; one set too low would need
    // a batch of small records that alone exceeds the topic's limit (librdkafka batches up to its own
    // message.max.bytes; the broker has no request to read a topic's limit through this client).
    for (const [topic, refused] of this.#refusedSizes) {
      const prev = this.#maxBytes.get(topic);
      if (prev === undefined || refused.bytes - 1 < prev.bytes) {
        this.#maxBytes.set(topic, { bytes: refused.bytes - 1, error: refused.error });
      }
    }
    this.#refusedSizes.clear();
    return r;
  }

  partitionsFor(topic: string): number | undefined {
    return this.#partitionCounts.get(topic);
  }

  /** True when records wait for room in the producer's queue. */
  get backlogged(): boolean {
    return this.#overflow.length > 0;
  }

  /** Moves overflowed records into the producer, flushing as needed. */
  async drain(): Promise<void> {
    const producer = this.#producer;
    // Exactly-once: records held back while no transaction was open (see StreamsProducer) go into the next one.
    if (this.#overflow.length > 0) await producer.maybeBeginTransaction();
    let i = 0;
    while (i < this.#overflow.length) {
      const r = this.#overflow[i]!;
      if (producer.produce(r.topic, r.partition, r.value, r.key, r.timestamp, toWireHeaders(r.headers))) {
        i++;
        this.#produced++;
      } else await producer.flush();
    }
    this.#overflow.length = 0;
  }

  /** Waits for every record to be delivered, then raises the first fatal delivery error if any. */
  async flush(): Promise<void> {
    await this.drain();
    await this.#producer.flush();
    await this.awaitDeliveryReports();
    this.throwIfFailed();
  }

  /** Waits until the JS callbacks of every delivery report librdkafka has produced have run. */
  async awaitDeliveryReports(): Promise<void> {
    // The native flush returns when librdkafka has every delivery report; the JS callbacks for them may still be
    // queued on the event loop. Changelog offsets and failures must be known before offsets are committed.
    const deadline = Date.now() + 60_000;
    while (this.#acked < this.#produced) {
      if (Date.now() > deadline) {
        throw new ProductionError(`${this.#produced - this.#acked} delivery reports missing 60 s after flush`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** True when records were handed over (or wait in the overflow) since the last committed transaction. */
  hasUncommittedRecords(): boolean {
    return this.#produced > this.#producedAtCommit || this.#overflow.length > 0;
  }

  /** Changelog partitions written since the last commit or abort (exactly-once only), and forgets them. */
  takeWrittenChangelogs(): { topic: string; partition: number }[] {
    const out: { topic: string; partition: number }[] = [];
    for (const [topic, parts] of this.#writtenChangelogs) for (const partition of parts) out.push({ topic, partition });
    this.#writtenChangelogs.clear();
    return out;
  }

  /**
   * Exactly-once, after a commit whose delivery reports have all arrived, from a producer that reports every delivery:
   * the commit marker's offset in each changelog partition the transaction wrote (the marker follows the
   * transaction's last record: the task is the partition's only writer). Returns the partitions it could not tell, to
   * be asked of the broker.
   */
  changelogMarkersFromDeliveries(
    written: readonly { topic: string; partition: number }[],
  ): { topic: string; partition: number }[] {
    const unknown: { topic: string; partition: number }[] = [];
    for (const w of written) {
      const last = this.#deliveredChangelog.get(w.topic)?.[w.partition];
      if (last === undefined) unknown.push(w);
      else this.setChangelogOffset(w.topic, w.partition, last + 1);
    }
    return unknown;
  }

  /** Records changelog offsets learnt from the broker (exactly-once, after a commit). */
  setChangelogOffset(topic: string, partition: number, offset: number): void {
    this.#changelogOffsets.set(`${topic}:${partition}`, offset);
  }

  /** Exactly-once: the transaction committed; its changelog offsets are now the committed ones. */
  markCommitted(): void {
    this.#producedAtCommit = this.#produced;
    this.#committedChangelogOffsets = new Map(this.#changelogOffsets);
  }

  /** Exactly-once: the transaction was aborted; forget its records and the changelog offsets they had. */
  resetAfterAbort(): void {
    this.#overflow.length = 0;
    this.#writtenChangelogs.clear();
    this.#acked = this.#produced;
    this.#producedAtCommit = this.#produced;
    this.#changelogOffsets.clear();
    this.#deliveredChangelog.clear();
    for (const [k, v] of this.#committedChangelogOffsets) this.#changelogOffsets.set(k, v);
  }

  throwIfFailed(): void {
    if (this.#fatal) throw this.#fatal;
    if (this.#rewind) throw this.#rewind;
  }

  /** Highest delivered offset per changelog partition (`topic:partition`), since the collector started. */
  changelogOffsets(): ReadonlyMap<string, number> {
    for (const [topic, byPartition] of this.#deliveredChangelog) {
      byPartition.forEach((offset, partition) => {
        const key = `${topic}:${partition}`;
        const prev = this.#changelogOffsets.get(key);
        if (prev === undefined || offset > prev) this.#changelogOffsets.set(key, offset);
      });
    }
    this.#deliveredChangelog.clear();
    return this.#changelogOffsets;
  }
}
