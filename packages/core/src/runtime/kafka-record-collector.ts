import { ProductionError } from '@kaskade/processor-api';
import type { Headers } from '@kaskade/processor-api';
import type { ProductionExceptionHandler } from '../errors/exception-handlers.js';
import type { KafkaProducerClient } from '../kafka/kafka-producer-client.js';
import type { DeliveryReport } from '../kafka/kafka-types.js';
import { toWireHeaders } from '../kafka/message-headers.js';
import type { RecordCollector } from './record-collector.js';

/** librdkafka's codes for messages purged from the queue (an aborted transaction). */
const PURGED = new Set([-152 /* _PURGE_QUEUE */, -151 /* _PURGE_INFLIGHT */]);

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
  #producer: KafkaProducerClient | undefined;
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

  constructor(
    productionHandler: ProductionExceptionHandler,
    partitionCounts: Map<string, number>,
    isChangelog: (topic: string) => boolean,
    options: { errorReportsOnly?: boolean } = {},
  ) {
    this.#trackWrittenChangelogs = options.errorReportsOnly === true;
    this.#productionHandler = productionHandler;
    this.#partitionCounts = partitionCounts;
    this.#isChangelog = isChangelog;
  }

  attach(producer: KafkaProducerClient): void {
    this.#producer = producer;
  }

  /** To be passed as the producer's `onDelivery`. */
  readonly onDelivery = (report: DeliveryReport): void => {
    this.#acked++;
    // Messages purged by an aborted transaction were never meant to be delivered.
    if (report.error && PURGED.has((report.error as { kafkaCode?: number }).kafkaCode ?? 0)) return;
    if (report.error) {
      const response = this.#productionHandler.handle(
        { topic: report.topic, partition: report.partition },
        report.error,
      );
      if (response.action === 'FAIL') {
        this.#fatal ??= new ProductionError(
          `could not produce to ${report.topic}-${report.partition}: ${report.error.message}`,
          { cause: report.error, context: { topic: report.topic, partition: report.partition } },
        );
      } else this.failedAndSkipped++;
      return;
    }
    if (this.#isChangelog(report.topic)) {
      // Per record: arrays by partition, no key string; the `topic:partition` map is built once per commit.
      let byPartition = this.#deliveredChangelog.get(report.topic);
      if (!byPartition) this.#deliveredChangelog.set(report.topic, (byPartition = []));
      const prev = byPartition[report.partition];
      if (prev === undefined || report.offset > prev) byPartition[report.partition] = report.offset;
    }
  };

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
    // Keep order: once something overflowed, everything queues behind it until the runtime drains.
    if (
      this.#overflow.length > 0 ||
      !this.#producer!.produce(topic, partition, value, key, timestamp, toWireHeaders(headers))
    ) {
      this.#overflow.push({ topic, partition, key, value, timestamp, headers });
    } else this.#produced++;
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
    const producer = this.#producer!;
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
    await this.#producer!.flush();
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
