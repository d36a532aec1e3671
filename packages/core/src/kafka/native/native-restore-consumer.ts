import type { ConsumedMessage, TopicPartitionOffset } from '../kafka-types.js';
import type { RestoreConsumer } from '../restore-consumer.js';
import type { ColumnarBatch } from './columnar-batch.js';
import { NativeConsumer } from './native-consumer.js';

/** Most records per native batch: one LMDB transaction per partition and batch. */
const MAX_BATCH = 10_000;
/** Batches the native poll thread may have ready before it waits for the JS thread (bounds memory). */
const QUEUED_BATCHES = 2;

/**
 * Restoration's consumer on Kaskade's native addon: librdkafka polls on a native thread and hands over each batch as
 * one block of columns, so the JS thread makes one call per batch instead of one object with two Buffers per record
 * per call across the boundary. Pull-shaped for the restorer: `consumeBatch` takes the next batch, or waits up to the
 * poll timeout. Memory stays bounded without pausing: batches are only delivered on an event-loop turn, which the
 * restorer yields only when it has none left, and the poll thread waits while `QUEUED_BATCHES` are undelivered.
 */
export class NativeRestoreConsumer implements RestoreConsumer {
  readonly kind = 'native';
  readonly #consumer: NativeConsumer;
  readonly #pollTimeoutMs: number;
  readonly #ready: ColumnarBatch[] = [];
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  /** `config`: librdkafka consumer properties (bootstrap servers, isolation level, security, fetch sizes). */
  constructor(config: Readonly<Record<string, string | number | boolean>>, pollTimeoutMs = 100) {
    this.#pollTimeoutMs = pollTimeoutMs;
    this.#consumer = new NativeConsumer({
      // Partitions come through assign(): no subscription, no commits.
      config: { 'enable.auto.commit': false, 'enable.partition.eof': false, ...config },
      topics: [],
      maxBatch: MAX_BATCH,
      pollTimeoutMs,
      queuedBatches: QUEUED_BATCHES,
      onBatch: (error, batch) => {
        if (error) this.#error ??= error;
        if (batch) this.#ready.push(batch);
        this.#wake?.();
      },
    });
  }

  assignAt(partitions: readonly TopicPartitionOffset[]): void {
    this.#consumer.assign(partitions);
  }

  async consumeBatch(): Promise<readonly ConsumedMessage[]> {
    if (this.#ready.length === 0 && this.#error === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#pollTimeoutMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    if (this.#error) {
      const e = this.#error;
      this.#error = undefined;
      throw e;
    }
    const batch = this.#ready.shift();
    return batch ? toMessages(batch) : [];
  }

  position(topic: string, partition: number): number | undefined {
    return this.#consumer.position(topic, partition);
  }

  unassignAll(): void {
    this.#consumer.assign([]);
    this.#ready.length = 0;
  }

  disconnect(): Promise<void> {
    return this.#consumer.close();
  }
}

/**
 * The batch as the records a store restores: keys and values stay views into the batch's one block (no copy); the
 * only allocations per record are these small objects and their two views.
 */
function toMessages(batch: ColumnarBatch): ConsumedMessage[] {
  const out = new Array<ConsumedMessage>(batch.count);
  const { offsets, timestamps, partitions } = batch;
  for (let i = 0; i < batch.count; i++) {
    out[i] = {
      topic: batch.topic(i),
      partition: partitions[i]!,
      offset: Number(offsets[i]!),
      timestamp: timestamps[i]!,
      key: batch.key(i),
      value: batch.value(i),
      size: 0,
    };
  }
  return out;
}
