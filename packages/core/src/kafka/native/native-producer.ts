// The produce side of Kaskade's native addon (issue #18): one native call per columnar batch, delivery reports
// aggregated per batch on a native poll thread. Not wired into the runtime yet (bench/native uses it).
import { KafkaClientError } from '@kaskade/processor-api';
import type { ColumnarBatch } from './columnar-batch.js';
import { loadNativeAddon } from './native-consumer.js';
import type { Addon } from './native-consumer.js';

/** Every delivery report of one produced batch, in one call. */
export interface BatchDelivery {
  readonly batchId: number;
  /** Records of the batch that were not delivered (0: all were). */
  readonly failed: number;
  readonly error?: KafkaClientError | undefined;
}

export interface NativeProducerOptions {
  /** librdkafka producer properties (`bootstrap.servers`, `linger.ms`, ...). */
  readonly config: Readonly<Record<string, string | number | boolean>>;
  /** Called on the JS thread once every record of a batch has its delivery report. */
  readonly onDelivery: (delivery: BatchDelivery) => void;
}

export class NativeProducer {
  readonly #addon: Addon;
  readonly #handle: unknown;
  #nextId = 0;
  #closing: Promise<void> | undefined;
  #onClosed: (() => void) | undefined;

  constructor(options: NativeProducerOptions) {
    this.#addon = loadNativeAddon();
    const onDelivery = options.onDelivery;
    this.#handle = this.#addon.createProducer(
      Object.entries(options.config).flatMap(([k, v]) => [k, String(v)]),
      (batchId, failed, errorCode, errorMessage, closed) => {
        if (closed) return this.#onClosed?.();
        const error =
          failed > 0
            ? new KafkaClientError(`produce failed for ${failed} records: ${errorMessage}`, { context: { errorCode } })
            : undefined;
        onDelivery({ batchId, failed, error });
      },
    );
  }

  /**
   * Enqueues every record of `batch` to `topic` in one call (keys partitioned by the configured partitioner, or each
   * record to its own partition with `keepPartition`), timestamps kept; returns the batch's id for its delivery.
   * Blocks while librdkafka's queue is full.
   */
  produce(topic: string, batch: ColumnarBatch, keepPartition = false): number {
    const id = this.#nextId++;
    this.#addon.produce(
      this.#handle,
      topic,
      batch.block,
      batch.count,
      batch.keysAt,
      batch.valuesAt,
      batch.headersAt,
      id,
      keepPartition,
    );
    return id;
  }

  /** Flushes what is queued (up to 30 s), then closes; resolves once librdkafka is destroyed. */
  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#onClosed = resolve;
      this.#addon.closeProducer(this.#handle);
    });
    return this.#closing;
  }
}
