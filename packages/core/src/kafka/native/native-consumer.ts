// A consumer whose poll loop runs on a native thread of its own and hands over whole columnar batches: the JS thread
// does one call per batch and wraps views, instead of one JS object per record (issue #18; packages/core/native).
// Restoration reads changelogs through it (NativeRestoreConsumer); the stream thread still uses the Kafka client.
import { createRequire } from 'node:module';
import { KafkaClientError } from '@kaskade/processor-api';
import { toKafkaError } from '../kafka-client-error.js';
import type { TopicPartitionOffset } from '../kafka-types.js';
import { ColumnarBatch } from './columnar-batch.js';

export interface Addon {
  create(
    config: string[],
    topics: string[],
    maxBatch: number,
    pollTimeoutMs: number,
    queuedBatches: number,
    onBatch: (...args: BatchArgs) => void,
  ): unknown;
  close(handle: unknown): void;
  /** Replaces the assignment: (topic, partition, offset) triples, flat; empty unassigns. */
  assign(handle: unknown, partitions: (string | number)[]): void;
  /** The poll thread hands over a positions snapshot after the batches it has built (onBatch's `positions`). */
  requestPositions(handle: unknown): void;
  librdkafkaVersion(): string;
  createProducer(
    config: string[],
    onReport: (batchId: number, failed: number, errorCode: number, errorMessage: string, closed: boolean) => void,
  ): unknown;
  produce(
    handle: unknown,
    topic: string,
    block: ArrayBuffer,
    count: number,
    keysAt: number,
    valuesAt: number,
    headersAt: number,
    batchId: number,
    keepPartition: boolean,
  ): void;
  closeProducer(handle: unknown): void;
  /** The stream thread's producer (`NativeProducerClient`); `config` is (name, value) pairs, flat. */
  createStreamsProducer(
    config: string[],
    onReport: (callId: number, sums: Float64Array, failures: NativeFailure[] | undefined, closed: boolean) => void,
    onEvent: (kind: 0 | 1 | 2, code: number, message: string) => void,
  ): unknown;
  registerTopic(handle: unknown, topic: string): number;
  /**
   * Enqueues records [start, end) of the columns; returns how many it took and, when it stopped early, librdkafka's
   * code and message for why (-184: the queue is full).
   */
  produceRecords(
    handle: unknown,
    meta: ArrayBuffer,
    capacity: number,
    bytes: ArrayBuffer,
    start: number,
    end: number,
    callId: number,
  ): [taken: number, code: number, message: string];
  /** Reaches a broker with the producer's own settings (a metadata request on libuv's pool), or says why not. */
  spMetadata(handle: unknown, timeoutMs: number, done: (code: number, message: string) => void): void;
  /**
   * A transaction step on libuv's pool: 0 init, 1 begin, 2 commit, 3 abort; `flags` as librdkafka's error says
   * (1 retriable, 2 requires abort, 4 fatal).
   */
  spTransaction(handle: unknown, step: 0 | 1 | 2 | 3, timeoutMs: number, done: TransactionDone): void;
  /** Adds offsets ((topic, partition, offset, metadata) flat) to the open transaction, with the consumer's group. */
  spSendOffsets(
    handle: unknown,
    offsets: (string | number | undefined)[],
    consumer: unknown,
    timeoutMs: number,
    done: TransactionDone,
  ): void;
  closeStreamsProducer(handle: unknown, timeoutMs: number): void;
}

/** How a transaction step ends: librdkafka's code (0: done), message and error flags. */
export type TransactionDone = (code: number, message: string, flags: number) => void;

/** A record the native producer could not deliver: topic index, partition, librdkafka code, key and value length. */
export type NativeFailure = [
  topic: number,
  partition: number,
  code: number,
  keyLength: number,
  valueLength: number,
  message: string,
];

type BatchArgs = [
  block: ArrayBuffer | undefined,
  count: number,
  keysAt: number,
  valuesAt: number,
  headersAt: number,
  headersEnd: number,
  topics: string[],
  errorCode: number,
  errorMessage: string,
  closed: boolean,
  /** A positions snapshot instead of records: (topic, partition, next offset) triples, flat. */
  positions: (string | number)[] | undefined,
];

let addon: Addon | undefined;

/** Where `packages/core/native/build.sh` (run by `npm run setup`) puts the addon, from src/ or dist/ alike. */
const ADDON_PATH = '../../../native/build/Release/kaskade_native.node';

/** Loads Kaskade's native addon; throws a clear error when it is not built. */
export function loadNativeAddon(): Addon {
  if (addon) return addon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch (cause) {
    throw new KafkaClientError(
      `Kaskade's native addon is not built (${(cause as Error).message.split('\n')[0]}); ` +
        'installing @kaskade/core builds it (`npm rebuild @kaskade/core` again, which prints why it could not); in ' +
        "Kaskade's repository `npm run setup` does",
      { cause },
    );
  }
  return addon;
}

export interface NativeConsumerOptions {
  /** librdkafka consumer properties, as strings (`bootstrap.servers`, `group.id`, ...). */
  readonly config: Readonly<Record<string, string | number | boolean>>;
  /** Topics to subscribe to; none: partitions are given with `assign` (no group management). */
  readonly topics: readonly string[];
  /** Most records per batch. Default 10 000. */
  readonly maxBatch?: number;
  /** How long the poll thread waits for a batch's first record. Default 100 ms. */
  readonly pollTimeoutMs?: number;
  /** Batches the poll thread may have ready before it waits for the JS thread. Default 2. */
  readonly queuedBatches?: number;
  /** Called on the JS thread with each batch, or with an error when a poll returned one. */
  readonly onBatch: (error: Error | null, batch: ColumnarBatch | null) => void;
  /**
   * Called with the snapshot `requestPositions()` asked for, in order with the batches: every record before these
   * positions was in a batch already given to `onBatch`.
   */
  readonly onPositions?: (positions: readonly TopicPartitionOffset[]) => void;
}

/**
 * A consumer that starts polling on construction (subscribed to `topics`, or to what `assign` gives it); `close()`
 * resolves once librdkafka has closed it.
 */
export class NativeConsumer {
  readonly #addon: Addon;
  readonly #handle: unknown;
  #closing: Promise<void> | undefined;
  #onClosed: (() => void) | undefined;

  constructor(options: NativeConsumerOptions) {
    this.#addon = loadNativeAddon();
    const config = Object.entries(options.config).flatMap(([k, v]) => [k, String(v)]);
    const onBatch = options.onBatch;
    this.#handle = this.#addon.create(
      config,
      [...options.topics],
      options.maxBatch ?? 10_000,
      options.pollTimeoutMs ?? 100,
      options.queuedBatches ?? 2,
      (block, count, keysAt, valuesAt, headersAt, headersEnd, topics, errorCode, errorMessage, closed, positions) => {
        if (closed) return this.#onClosed?.();
        if (this.#closing) return; // batches still queued after close(): nobody wants them
        if (positions) return options.onPositions?.(triples(positions));
        if (errorCode !== 0) {
          onBatch(toKafkaError('native consume', { code: errorCode, message: errorMessage }), null);
        }
        if (count > 0) {
          onBatch(null, new ColumnarBatch(block!, count, keysAt, valuesAt, headersAt, headersEnd, topics));
        }
      },
    );
  }

  /** Replaces the assignment with these partitions, each read from its offset; an empty list unassigns. */
  assign(partitions: readonly { topic: string; partition: number; offset: number }[]): void {
    this.#checkOpen('assign');
    this.#addon.assign(
      this.#handle,
      partitions.flatMap((p) => [p.topic, p.partition, p.offset]),
    );
  }

  /** Asks for a positions snapshot (`onPositions`), answered after the batches already built, within a poll timeout. */
  requestPositions(): void {
    this.#checkOpen('requestPositions');
    this.#addon.requestPositions(this.#handle);
  }

  /** close() was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  // The native consumer is destroyed by its poll thread once closed: no call may reach it after close().
  #checkOpen(operation: string): void {
    if (this.#closing) throw new KafkaClientError(`${operation} on a closed native consumer`);
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#onClosed = resolve;
      this.#addon.close(this.#handle);
    });
    return this.#closing;
  }
}

function triples(flat: readonly (string | number)[]): TopicPartitionOffset[] {
  const out: TopicPartitionOffset[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    out.push({ topic: flat[i] as string, partition: flat[i + 1] as number, offset: flat[i + 2] as number });
  }
  return out;
}
