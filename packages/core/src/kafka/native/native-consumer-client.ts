// The stream thread's consumer through Kaskade's native addon (issue #18; packages/core/native/src/group-consumer.cc):
// the same group membership, rebalance protocol and calls as `KafkaConsumerClient`, with each consumed batch crossing
// the native boundary as one block of columns instead of one object with Buffers per record. It reads only when asked
// (like the Kafka client), so positions, pauses, seeks and assignment changes behave as they do there.
import { KafkaClientError } from '@kaskade/processor-api';
import type { ConsumerClient } from '../consumer-client.js';
import type { ConsumeCallback, ConsumerClientOptions, RebalanceEvent } from '../kafka-consumer-client.js';
import { toKafkaError } from '../kafka-client-error.js';
import type { ConsumedMessage, TopicPartition, TopicPartitionOffset } from '../kafka-types.js';
import { ColumnarBatch } from './columnar-batch.js';
import { consumerSettings } from '../client-settings.js';
import { librdkafkaPairs } from './librdkafka-pairs.js';
import { loadNativeAddon } from './native-consumer.js';
import type { Addon } from './native-consumer.js';

const OFFSET_INVALID = -1001;

type Done = (code: number, message: string, ...rest: never[]) => void;

/** The native functions of the group consumer (group-consumer.cc). */
export interface GroupConsumerAddon {
  gcCreate(
    config: string[],
    onEvent: (kind: 0 | 1 | 2, code: number, message: string) => void,
    onRebalance: (assign: boolean, partitions: (string | number)[], lost: boolean, protocol: string) => void,
  ): unknown;
  gcSubscribe(handle: unknown, topics: string[]): void;
  gcConsume(
    handle: unknown,
    max: number,
    timeoutMs: number,
    done: (
      code: number,
      message: string,
      block: ArrayBuffer,
      count: number,
      keysAt: number,
      valuesAt: number,
      headersAt: number,
      headersEnd: number,
      topics: string[],
      errorCode: number,
      errorMessage: string,
    ) => void,
  ): void;
  gcAssign(handle: unknown, partitions: (string | number)[], incremental: boolean): void;
  gcUnassign(handle: unknown, partitions: (string | number)[], incremental: boolean): void;
  gcAssignment(handle: unknown): (string | number | undefined)[];
  gcPause(handle: unknown, partitions: (string | number)[]): void;
  gcResume(handle: unknown, partitions: (string | number)[]): void;
  gcPosition(handle: unknown, topic: string, partition: number): number;
  gcCommit(handle: unknown, offsets: (string | number | undefined)[], done: Done): void;
  gcCommitted(
    handle: unknown,
    partitions: (string | number)[],
    timeoutMs: number,
    done: (code: number, message: string, results: (string | number | undefined)[]) => void,
  ): void;
  gcSeek(handle: unknown, topic: string, partition: number, offset: number, timeoutMs: number, done: Done): void;
  gcWatermarks(
    handle: unknown,
    topic: string,
    partition: number,
    timeoutMs: number,
    done: (code: number, message: string, low: number, high: number) => void,
  ): void;
  gcOffsetsForTimes(handle: unknown, partitions: (string | number)[], timeoutMs: number, done: Done): void;
  gcMetadata(handle: unknown, timeoutMs: number, done: Done): void;
  gcRebalanceProtocol(handle: unknown): 'EAGER' | 'COOPERATIVE' | 'NONE';
  gcClose(handle: unknown, done: Done): void;
}

const flat = (partitions: readonly TopicPartition[]): (string | number)[] =>
  partitions.flatMap((p) => [p.topic, p.partition]);

/** (topic, partition, offset, metadata, error) groups from the addon. */
function offsetsOf(values: readonly (string | number | undefined)[]): TopicPartitionOffset[] {
  const out: TopicPartitionOffset[] = [];
  for (let i = 0; i + 4 < values.length; i += 5) {
    const metadata = values[i + 3] as string | undefined;
    out.push({
      topic: values[i] as string,
      partition: values[i + 1] as number,
      offset: values[i + 2] as number,
      ...(metadata !== undefined ? { metadata } : {}),
    });
  }
  return out;
}

function promised(what: string, call: (done: Done) => void): Promise<void> {
  return new Promise((resolve, reject) =>
    call((code, message) => (code === 0 ? resolve() : reject(toKafkaError(what, { code, message })))),
  );
}

/** One record of a batch as the runtime reads it; key, value and header bytes copied out of the batch's block. */
function messagesOf(batch: ColumnarBatch): ConsumedMessage[] {
  const out: ConsumedMessage[] = new Array<ConsumedMessage>(batch.count);
  const { offsets, timestamps, partitions, valueLength, headerLength } = batch;
  for (let i = 0; i < batch.count; i++) {
    // Copies, not views: a view would keep the whole batch's block alive as long as anything holds the record's
    // bytes (a cache, an in-memory store, a buffered record).
    const keyView = batch.key(i);
    const valueView = batch.value(i);
    const value = valueView === null ? null : Buffer.from(valueView);
    out[i] = {
      topic: batch.topic(i),
      partition: partitions[i]!,
      offset: Number(offsets[i]!),
      timestamp: timestamps[i]!,
      key: keyView === null ? null : Buffer.from(keyView),
      value,
      size: valueLength[i]! < 0 ? 0 : valueLength[i]!,
      ...(headerLength[i]! > 0
        ? {
            headers: batch.headers(i).map((h) => ({ [h.key]: h.value === null ? null : Buffer.from(h.value) })),
          }
        : {}),
    };
  }
  return out;
}

/**
 * A member of a consumer group on Kaskade's native addon, with the calls of `KafkaConsumerClient`. Offsets are
 * committed explicitly, or — exactly-once — by the native producer's transaction, which takes this consumer's group
 * metadata (`groupHandle`).
 */
export class NativeConsumerClient implements ConsumerClient {
  readonly #addon: Addon & GroupConsumerAddon;
  readonly #handle: unknown;
  readonly #options: ConsumerClientOptions;
  /** The consumer group protocol (KIP-848): every assignment change is incremental (see KafkaConsumerClient). */
  readonly #incremental: boolean;
  #pollTimeoutMs: number;
  #connected = false;
  #closed = false;
  /** The consume under way (the addon takes one at a time, and close waits for it). */
  #consuming: Promise<void> | undefined;
  #toWake: TopicPartition[] = [];
  #waking = false;

  /** The addon's handle of this consumer: the native producer's transactions take its group metadata from it. */
  get groupHandle(): unknown {
    return this.#handle;
  }

  constructor(options: ConsumerClientOptions) {
    this.#addon = loadNativeAddon() as Addon & GroupConsumerAddon;
    this.#options = options;
    this.#incremental = options.config?.['group.protocol'] === 'consumer';
    this.#pollTimeoutMs = options.pollTimeoutMs ?? 100;
    const conf: { [key: string]: unknown } = {
      ...consumerSettings(options),
      'auto.offset.reset': options.autoOffsetReset ?? 'earliest',
      ...(options.config ?? {}),
    };
    const pairs = librdkafkaPairs(conf, 'the native consumer');
    this.#handle = this.#addon.gcCreate(
      pairs,
      (kind, code, message) => {
        if (kind === 0) options.onError?.(toKafkaError('consumer', { code, message }));
        else if (kind === 1) options.onLog?.(code, message);
        else options.onStatistics?.(message);
      },
      (assign, list, lost, protocol) => this.#onRebalance(assign, list, lost, protocol),
    );
  }

  #onRebalance(assign: boolean, list: (string | number)[], lost: boolean, protocol: string): void {
    const partitions: TopicPartition[] = [];
    for (let i = 0; i + 1 < list.length; i += 2) {
      partitions.push({ topic: list[i] as string, partition: list[i + 1] as number });
    }
    const event: RebalanceEvent = {
      kind: assign ? 'assign' : 'revoke',
      partitions,
      lost,
      protocol: protocol as RebalanceEvent['protocol'],
    };
    if (!this.#options.onRebalance) {
      if (assign) this.assign(partitions, event.protocol);
      else this.unassign(partitions, event.protocol);
      return;
    }
    this.#options.onRebalance(event);
  }

  /** Reaches a broker (a metadata request) within `timeoutMs`, or fails naming why. */
  async connect(timeoutMs = 30_000): Promise<void> {
    await promised('consumer connect', (done) => this.#addon.gcMetadata(this.#handle, timeoutMs, done));
    if (this.#closed) throw toKafkaError('consumer connect', new Error('disconnected while connecting'));
    this.#connected = true;
  }

  get connected(): boolean {
    return this.#connected;
  }

  subscribe(topics: readonly string[]): void {
    this.#addon.gcSubscribe(this.#handle, [...topics]);
  }

  consume(max: number, callback: ConsumeCallback): void {
    if (this.#closed) {
      callback(new KafkaClientError('consume after the consumer was closed'), []);
      return;
    }
    if (this.#consuming) {
      callback(new KafkaClientError('consume while another consume is under way'), []);
      return;
    }
    this.#consuming = new Promise<void>((resolve) => {
      this.#addon.gcConsume(
        this.#handle,
        max,
        this.#pollTimeoutMs,
        (_code, _message, block, count, keysAt, valuesAt, headersAt, headersEnd, topics, errorCode, errorMessage) => {
          this.#consuming = undefined;
          resolve();
          if (errorCode !== 0 && count === 0) {
            callback(toKafkaError('consume', { code: errorCode, message: errorMessage }), []);
            return;
          }
          if (errorCode !== 0) {
            this.#options.onError?.(toKafkaError('consume', { code: errorCode, message: errorMessage }));
          }
          if (count === 0) callback(null, []);
          else
            callback(
              null,
              messagesOf(new ColumnarBatch(block, count, keysAt, valuesAt, headersAt, headersEnd, topics)),
            );
        },
      );
    });
  }

  consumeBatch(max: number): Promise<readonly ConsumedMessage[]> {
    return new Promise((resolve, reject) => this.consume(max, (e, m) => (e ? reject(e) : resolve(m))));
  }

  assign(partitions: readonly TopicPartition[], protocol = this.#protocol()): void {
    this.assignAt(
      partitions.map((p) => ({ ...p, offset: OFFSET_INVALID })),
      protocol,
    );
  }

  unassign(partitions: readonly TopicPartition[], protocol = this.#protocol()): void {
    const incremental = protocol === 'COOPERATIVE' || this.#incremental;
    this.#addon.gcUnassign(
      this.#handle,
      partitions.flatMap((p) => [p.topic, p.partition, OFFSET_INVALID]),
      incremental,
    );
    if (incremental) this.#wakeFetchers(this.assignments());
  }

  assignAt(partitions: readonly TopicPartitionOffset[], protocol: RebalanceEvent['protocol'] = 'NONE'): void {
    const incremental = protocol === 'COOPERATIVE' || this.#incremental;
    this.#addon.gcAssign(
      this.#handle,
      partitions.flatMap((p) => [p.topic, p.partition, p.offset]),
      incremental,
    );
    if (incremental) this.#wakeFetchers(this.assignments());
  }

  #protocol(): RebalanceEvent['protocol'] {
    return this.#addon.gcRebalanceProtocol(this.#handle);
  }

  assignments(): TopicPartition[] {
    const values = this.#addon.gcAssignment(this.#handle);
    const out: TopicPartition[] = [];
    for (let i = 0; i + 4 < values.length; i += 5) {
      out.push({ topic: values[i] as string, partition: values[i + 1] as number });
    }
    return out;
  }

  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    const list = offsets.flatMap((o) => [o.topic, o.partition, o.offset, o.metadata]);
    return promised('commit', (done) => this.#addon.gcCommit(this.#handle, list, done));
  }

  committed(partitions: readonly TopicPartition[], timeoutMs = 30_000): Promise<TopicPartitionOffset[]> {
    return new Promise((resolve, reject) =>
      this.#addon.gcCommitted(this.#handle, flat(partitions), timeoutMs, (code, message, results) =>
        code === 0 ? resolve(offsetsOf(results)) : reject(toKafkaError('committed', { code, message })),
      ),
    );
  }

  seek(position: TopicPartitionOffset, timeoutMs = 10_000): Promise<void> {
    return promised(`seek(${position.topic}-${position.partition})`, (done) =>
      this.#addon.gcSeek(this.#handle, position.topic, position.partition, position.offset, timeoutMs, done),
    );
  }

  pause(partitions: readonly TopicPartition[]): void {
    if (partitions.length) this.#addon.gcPause(this.#handle, flat(partitions));
  }

  resume(partitions: readonly TopicPartition[]): void {
    if (partitions.length === 0) return;
    this.#addon.gcResume(this.#handle, flat(partitions));
    this.#wakeFetchers(partitions);
  }

  /** See `KafkaConsumerClient`: librdkafka resumes a partition without waking the thread that fetches it. */
  #wakeFetchers(partitions: readonly TopicPartition[]): void {
    if (!this.#connected || this.#closed) return;
    this.#toWake.push(...partitions);
    if (this.#toWake.length === 0 || this.#waking) return;
    const unique = new Map<string, (string | number)[]>();
    for (const p of this.#toWake) unique.set(`${p.topic}:${p.partition}`, [p.topic, p.partition, -1]);
    this.#toWake = [];
    this.#waking = true;
    this.#addon.gcOffsetsForTimes(this.#handle, [...unique.values()].flat(), 1_000, () => {
      this.#waking = false;
      if (this.#toWake.length > 0) this.#wakeFetchers([]);
    });
  }

  setPollTimeout(ms: number): void {
    this.#pollTimeoutMs = ms;
  }

  position(topic: string, partition: number): number | undefined {
    const offset = this.#addon.gcPosition(this.#handle, topic, partition);
    return offset >= 0 ? offset : undefined;
  }

  watermarks(topic: string, partition: number, timeoutMs = 10_000): Promise<{ low: number; high: number }> {
    return new Promise((resolve, reject) =>
      this.#addon.gcWatermarks(this.#handle, topic, partition, timeoutMs, (code, message, low, high) =>
        code === 0
          ? resolve({ low, high })
          : reject(toKafkaError(`queryWatermarkOffsets(${topic}-${partition})`, { code, message })),
      ),
    );
  }

  /** Leaves the group (rebalance callbacks are still answered) and closes, once the consume under way is done. */
  async disconnect(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    await this.#consuming;
    await promised('consumer close', (done) => this.#addon.gcClose(this.#handle, done)).catch(() => undefined);
  }
}
