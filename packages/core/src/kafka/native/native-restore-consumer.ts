import type { ConsumedMessage, TopicPartitionOffset } from '../kafka-types.js';
import type { RestoreConsumer } from '../restore-consumer.js';
import { ColumnarBatch } from './columnar-batch.js';
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
 *
 * One per restore (`reusable` false): a batch the poll thread built before an assignment changed could otherwise
 * reach the next restore, older values after newer ones.
 */
export class NativeRestoreConsumer implements RestoreConsumer {
  readonly kind = 'native';
  readonly reusable = false;
  readonly #consumer: NativeConsumer;
  readonly #pollTimeoutMs: number;
  /** Batches and positions snapshots, in the order the poll thread handed them over. */
  readonly #items: (ColumnarBatch | readonly TopicPartitionOffset[])[] = [];
  /** Positions as far as the batches `consumeBatch` has returned go (`topic:partition` → next offset). */
  readonly #positions = new Map<string, number>();
  #positionsAsked = false;
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
        if (batch) this.#items.push(batch);
        this.#wake?.();
      },
      onPositions: (positions) => {
        this.#items.push(positions);
        this.#wake?.();
      },
    });
  }

  assignAt(partitions: readonly TopicPartitionOffset[]): void {
    this.#consumer.assign(partitions);
  }

  async consumeBatch(): Promise<readonly ConsumedMessage[]> {
    let batch = this.#next();
    if (batch === undefined && this.#error === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#pollTimeoutMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
      batch = this.#next();
      // Nothing came for a poll timeout: the end may be reached, and the caller will ask where fetching stands.
      if (batch === undefined) this.#askPositions();
    }
    if (this.#error) {
      const e = this.#error;
      this.#error = undefined;
      throw e;
    }
    return batch ? toMessages(batch) : [];
  }

  /** The next batch; positions snapshots before it take effect on the way. */
  #next(): ColumnarBatch | undefined {
    for (let item = this.#items.shift(); item !== undefined; item = this.#items.shift()) {
      if (item instanceof ColumnarBatch) return item;
      for (const p of item) this.#positions.set(`${p.topic}:${p.partition}`, p.offset);
      this.#positionsAsked = false;
    }
    return undefined;
  }

  /**
   * Where fetching stands as far as the records `consumeBatch` has returned go: librdkafka's own position runs ahead
   * of them (the poll thread takes records before this thread sees them), and a caller that took it for the end would
   * drop records still on their way. Read from the last snapshot taken in order with the batches; a call, or a poll
   * timeout without records, asks for a fresh one, which the next `consumeBatch` takes in (within a poll timeout).
   */
  position(topic: string, partition: number): number | undefined {
    this.#askPositions();
    const offset = this.#positions.get(`${topic}:${partition}`);
    return offset !== undefined && offset >= 0 ? offset : undefined;
  }

  #askPositions(): void {
    if (this.#positionsAsked || this.#consumer.closed) return;
    this.#consumer.requestPositions();
    this.#positionsAsked = true;
  }

  /** Ends the restore: the consumer closes (see `reusable`). */
  release(): Promise<void> {
    return this.disconnect();
  }

  disconnect(): Promise<void> {
    this.#items.length = 0;
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
