// Prototype (issue #18, step 4) of a consumer whose poll loop runs on a native thread of its own and hands over whole
// columnar batches: the JS thread does one call per batch and wraps views, instead of one JS object per record.
// Not wired into the runtime; see ../README.md.
import { createRequire } from 'node:module';
import { KafkaClientError } from '@kaskade/processor-api';
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
}

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
];

let addon: Addon | undefined;

/** Loads the addon built by `npx node-gyp rebuild` in packages/core/native; throws a clear error when it is not. */
export function loadNativeAddon(): Addon {
  if (addon) return addon;
  try {
    addon = createRequire(import.meta.url)('../build/Release/kaskade_native.node') as Addon;
  } catch (cause) {
    throw new KafkaClientError(
      'the native client addon is not built (run `npx node-gyp rebuild --nodedir=/usr` in packages/core/native)',
      { cause },
    );
  }
  return addon;
}

export interface NativeConsumerOptions {
  /** librdkafka consumer properties, as strings (`bootstrap.servers`, `group.id`, ...). */
  readonly config: Readonly<Record<string, string | number | boolean>>;
  readonly topics: readonly string[];
  /** Most records per batch. Default 10 000. */
  readonly maxBatch?: number;
  /** How long the poll thread waits for a batch's first record. Default 100 ms. */
  readonly pollTimeoutMs?: number;
  /** Batches the poll thread may have ready before it waits for the JS thread. Default 2. */
  readonly queuedBatches?: number;
  /** Called on the JS thread with each batch, or with an error when a poll returned one. */
  readonly onBatch: (error: KafkaClientError | null, batch: ColumnarBatch | null) => void;
}

/** A subscribed consumer that starts polling on construction; `close()` resolves once librdkafka has closed it. */
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
      (block, count, keysAt, valuesAt, headersAt, headersEnd, topics, errorCode, errorMessage, closed) => {
        if (closed) return this.#onClosed?.();
        if (this.#closing) return; // batches still queued after close(): nobody wants them
        if (errorCode !== 0) {
          onBatch(new KafkaClientError(`consume failed: ${errorMessage}`, { context: { errorCode } }), null);
        }
        if (count > 0) {
          onBatch(null, new ColumnarBatch(block!, count, keysAt, valuesAt, headersAt, headersEnd, topics));
        }
      },
    );
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#onClosed = resolve;
      this.#addon.close(this.#handle);
    });
    return this.#closing;
  }
}
