// The stream thread's producer through Kaskade's native addon (issue #18): `produce` writes a record into columns
// (a copy of its key and value into one reused block, a few typed-array stores), and the columns go to librdkafka in
// one native call per batch — after the current turn of processing, or when they are full. Delivery reports come back
// once per call, summed per partition. Transactions (exactly-once) through librdkafka's transactional API, with the
// native consumer's group metadata for the input offsets.
import { KafkaClientError } from '@kaskade/processor-api';
import { blockingNativeCall } from '../blocking-native-call.js';
import type { ConsumerClient } from '../consumer-client.js';
import type { ProducerClientOptions } from '../kafka-producer-client.js';
import { KafkaOperationError, toKafkaError } from '../kafka-client-error.js';
import type { ProducerClient } from '../producer-client.js';
import { topicPartitionName } from '../topic-partition-name.js';
import type { DeliveryReport, TopicPartitionOffset, WireHeaders } from '../kafka-types.js';
import { producerSettings } from '../client-settings.js';
import { librdkafkaPairs } from './librdkafka-pairs.js';
import { loadNativeAddon } from './native-consumer.js';
import type { Addon, NativeFailure, TransactionDone } from './native-consumer.js';
import { NativeConsumerClient } from './native-consumer-client.js';

/** Records per native call at most (a turn of processing usually hands over fewer). */
const CAPACITY = 4096;
/** Bytes of one record's columns (native/src/streams-producer.h): a float64 timestamp and eight int32s. */
const META_BYTES = 8 + 8 * 4;
const INITIAL_BYTES = 1 << 20;
/** librdkafka's code for a record larger than `message.max.bytes` (the Kafka client throws it from `produce`). */
const MSG_SIZE_TOO_LARGE = 10;
/** librdkafka's queue is full: `produceRecords` stopped at a record it will take later. */
const QUEUE_FULL = -184;
const TIMED_OUT = -185;
/** librdkafka's code for a record purged from its queue (an abort purges what it has not sent). */
const PURGE_QUEUE = -152;
const FATAL = -150;
/** What librdkafka adds to a record's key, value and headers at most when it checks `message.max.bytes`. */
const RECORD_OVERHEAD = 36;
/** Column indexes into the int32 view (each column `CAPACITY` long). */
const PARTITION = 0;
const TOPIC = 1;
const KEY_START = 2;
const KEY_LENGTH = 3;
const VALUE_START = 4;
const VALUE_LENGTH = 5;
const HEADER_START = 6;
const HEADER_LENGTH = 7;

/**
 * The stream thread's producer on Kaskade's native addon. Successful deliveries reach `onDelivered` summed per
 * partition and call; each failed record reaches `onDelivery` as the Kafka client reports it. With `transactionalId`
 * it is transactional (exactly-once); its transactions' offsets need a {@link NativeConsumerClient}.
 */
export class NativeProducerClient implements ProducerClient {
  /** Successes are summed per partition and call, with the last offset (`onDelivered`). */
  readonly reportsEveryDelivery = true;
  readonly #addon: Addon;
  readonly #handle: unknown;
  readonly #options: ProducerClientOptions;
  readonly #maxMessageBytes: number;
  readonly #topicIndex = new Map<string, number>();
  readonly #topicNames: string[] = [];
  readonly #timestamps: Float64Array;
  readonly #ints: Int32Array;
  readonly #meta: ArrayBuffer;
  #bytes: Buffer;
  /** Records [#start, #count) of the columns wait for the next native call; #used bytes of `#bytes` are taken. */
  #start = 0;
  #count = 0;
  #used = 0;
  #scheduled = false;
  /** Records handed to librdkafka whose outcome has not been reported yet. */
  #outstanding = 0;
  #nextCallId = 0;
  #waiters: (() => void)[] = [];
  #closed = false;
  /** A producer librdkafka refuses every record of now (fatal, fenced, ...): `produce` and `flush` throw it. */
  #failed: Error | undefined;
  #onClosed: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ProducerClientOptions) {
    this.#addon = loadNativeAddon();
    this.#options = options;
    const conf: { [key: string]: unknown } = {
      ...producerSettings(options),
      ...(options.transactionalId ? { 'transactional.id': options.transactionalId } : {}),
      ...(options.config ?? {}),
      // Successes are summed from delivery reports: they must come.
      'delivery.report.only.error': false,
    };
    const pairs = librdkafkaPairs(conf, 'the native producer');
    this.#maxMessageBytes = Number(conf['message.max.bytes'] ?? 1_000_000);
    this.#handle = this.#addon.createStreamsProducer(
      pairs,
      (_callId, sums, failures, closed) => this.#onReport(sums, failures, closed),
      (kind, code, message) => this.#onEvent(kind, code, message),
    );
    this.#meta = new ArrayBuffer(CAPACITY * META_BYTES);
    this.#timestamps = new Float64Array(this.#meta, 0, CAPACITY);
    this.#ints = new Int32Array(this.#meta, CAPACITY * 8, CAPACITY * 8);
    this.#bytes = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  }

  /**
   * Reaches a broker with the producer's own settings (librdkafka would connect only when it first sends, so a setting
   * only the producer has wrong — its security protocol, say — would show as records timing out): fails within
   * `timeoutMs`, naming librdkafka's reason.
   */
  connect(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#addon.spMetadata(this.#handle, timeoutMs, (code, message) =>
        code === 0 ? resolve() : reject(toKafkaError('producer connect', { code, message })),
      ),
    );
  }

  produce(
    topic: string,
    partition: number,
    value: Buffer | null,
    key: Buffer | null,
    timestamp: number,
    headers?: WireHeaders,
  ): boolean {
    if (this.#closed) throw new KafkaClientError('produce after the producer was closed', { context: { topic } });
    if (this.#failed) throw this.#failed;
    const keyLength = key === null ? 0 : key.length;
    const valueLength = value === null ? 0 : value.length;
    const headerBytes = headers === undefined ? undefined : encodeHeaders(headers);
    const size = keyLength + valueLength + (headerBytes === undefined ? 0 : headerBytes.length);
    // librdkafka refuses such a record when it is produced, and the Kafka client throws it from `produce`; found here,
    // before the columns, with librdkafka's own measure, so that the caller still learns which record it was.
    const wireSize = RECORD_OVERHEAD + keyLength + valueLength + (headers === undefined ? 0 : headersWireSize(headers));
    if (wireSize > this.#maxMessageBytes) {
      throw toKafkaError(`produce to ${topicPartitionName(topic, partition)}`, {
        code: MSG_SIZE_TOO_LARGE,
        message: `Broker: Message size too large (${wireSize} bytes on the wire; message.max.bytes ${this.#maxMessageBytes})`,
      });
    }
    if (this.#count === CAPACITY || this.#used + size > this.#bytes.length) {
      this.#push();
      if (this.#count === CAPACITY || this.#used + size > this.#bytes.length) {
        if (this.#start < this.#count) return false; // librdkafka's queue is full: the caller flushes
        this.#bytes = Buffer.allocUnsafeSlow(Math.max(this.#bytes.length * 2, 2 ** Math.ceil(Math.log2(size))));
      }
    }
    let t = this.#topicIndex.get(topic);
    if (t === undefined) t = this.#register(topic);
    const r = this.#count++;
    const ints = this.#ints;
    const bytes = this.#bytes;
    let at = this.#used;
    this.#timestamps[r] = timestamp;
    ints[PARTITION * CAPACITY + r] = partition;
    ints[TOPIC * CAPACITY + r] = t;
    ints[KEY_START * CAPACITY + r] = at;
    ints[KEY_LENGTH * CAPACITY + r] = key === null ? -1 : keyLength;
    if (key !== null && keyLength > 0) bytes.set(key, at);
    at += keyLength;
    ints[VALUE_START * CAPACITY + r] = at;
    ints[VALUE_LENGTH * CAPACITY + r] = value === null ? -1 : valueLength;
    if (value !== null && valueLength > 0) bytes.set(value, at);
    at += valueLength;
    ints[HEADER_START * CAPACITY + r] = at;
    if (headerBytes === undefined) ints[HEADER_LENGTH * CAPACITY + r] = 0;
    else {
      bytes.set(headerBytes, at);
      ints[HEADER_LENGTH * CAPACITY + r] = headerBytes.length;
      at += headerBytes.length;
    }
    this.#used = at;
    if (!this.#scheduled) {
      // One native call per turn of processing, not per record: the turn's records go together once it is done.
      this.#scheduled = true;
      queueMicrotask(this.#pushScheduled);
    }
    return true;
  }

  readonly #pushScheduled = (): void => {
    this.#scheduled = false;
    if (!this.#closed) this.#push();
  };

  /** Hands the waiting records to librdkafka; those its full queue refuses stay for the next call. */
  #push(): void {
    if (this.#start === this.#count || this.#closed || this.#failed) return;
    const [taken, code, message] = this.#addon.produceRecords(
      this.#handle,
      this.#meta,
      CAPACITY,
      this.#bytes.buffer as ArrayBuffer,
      this.#start,
      this.#count,
      this.#nextCallId++,
    );
    this.#outstanding += taken;
    this.#start += taken;
    if (this.#start === this.#count) this.#start = this.#count = this.#used = 0;
    else if (code !== QUEUE_FULL) {
      // Not a full queue (which delivery reports will empty): the producer refuses records for good. The Kafka
      // client throws such an error from `produce`; here it is thrown from the next `produce` or `flush`, and the
      // runtime replaces the producer and goes back to the last commit, as after a failed send.
      this.#failed = toKafkaError('produce', { code, message, isFatal: code === FATAL });
    }
  }

  #register(topic: string): number {
    const index = this.#addon.registerTopic(this.#handle, topic);
    this.#topicIndex.set(topic, index);
    this.#topicNames[index] = topic;
    return index;
  }

  #onReport(sums: Float64Array, failures: NativeFailure[] | undefined, closed: boolean): void {
    if (closed) {
      this.#onClosed?.();
      return;
    }
    let reported = 0;
    const onDelivered = this.#options.onDelivered;
    for (let i = 0; i < sums.length; i += 4) {
      const delivered = sums[i + 2]!;
      reported += delivered;
      onDelivered?.(this.#topicNames[sums[i]!]!, sums[i + 1]!, delivered, sums[i + 3]!);
    }
    if (failures) {
      reported += failures.length;
      for (const [t, partition, code, keyLength, valueLength, message] of failures) {
        const size = Math.max(0, keyLength) + Math.max(0, valueLength);
        this.#reportFailed(this.#topicNames[t] ?? `#${t}`, partition, { code, message }, size);
      }
    }
    this.#outstanding -= reported;
    // Records a full queue refused go in now that it has room, even if nothing else is produced or flushed.
    if (this.#start < this.#count) this.#push();
    const waiters = this.#waiters;
    if (waiters.length > 0) {
      this.#waiters = [];
      for (const w of waiters) w();
    }
  }

  /** A record that was not delivered, reported as the Kafka client reports it. */
  #reportFailed(topic: string, partition: number, error: { code: number; message: string }, size: number): void {
    const report: DeliveryReport & { size: number; key: null } = {
      topic,
      partition,
      offset: -1,
      error: toKafkaError(`produce to ${topicPartitionName(topic, partition)}`, error, { topic }),
      opaque: undefined,
      key: null,
      size,
    };
    this.#options.onDelivery?.(report);
  }

  #onEvent(kind: 0 | 1 | 2, code: number, message: string): void {
    if (kind === 0) this.#options.onError?.(toKafkaError('producer', { code, message }));
    else if (kind === 1) this.#options.onLog?.(code, message);
    else this.#options.onStatistics?.(message);
  }

  /** Hands over what waits, then waits until every record has its delivery report (its outcome is reported). */
  async flush(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#push();
      if (this.#failed) throw this.#failed;
      if (this.#outstanding === 0 && this.#start === this.#count) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        // As the Kafka client's flush fails (librdkafka's timeout): retriable, a leader may be moving.
        throw new KafkaOperationError('flush', {
          code: TIMED_OUT,
          message: `Local: Timed out (${this.#outstanding + this.#count - this.#start} records without a delivery report after ${timeoutMs} ms)`,
          isRetriable: true,
        });
      }
      await this.#reportOrTimeout(left);
    }
  }

  /** Until the next delivery report, or 100 ms (at most `left`): callers look again either way, never wait forever. */
  #reportOrTimeout(left: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, Math.min(left, 100)));
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Fences older producers with the same transactional id and readies this one for transactions. */
  initTransactions(timeoutMs = 60_000): Promise<void> {
    return this.#transactionStep('initTransactions', 0, timeoutMs);
  }

  beginTransaction(): Promise<void> {
    return this.#transactionStep('beginTransaction', 1, 0);
  }

  /** Adds the input offsets to the open transaction, with the consumer's group metadata (its generation fences). */
  sendOffsetsToTransaction(
    offsets: readonly TopicPartitionOffset[],
    consumer: ConsumerClient,
    timeoutMs = 60_000,
  ): Promise<void> {
    if (!(consumer instanceof NativeConsumerClient)) {
      return Promise.reject(
        new KafkaClientError(
          "the native producer's transactions take the native consumer's group metadata; this thread consumes through the Kafka client (set nativeConsumer and nativeClient alike for both)",
        ),
      );
    }
    const list = offsets.flatMap((o) => [o.topic, o.partition, o.offset, o.metadata]);
    return this.#blocking('sendOffsetsToTransaction', timeoutMs, (done) =>
      this.#addon.spSendOffsets(this.#handle, list, consumer.groupHandle, timeoutMs, done),
    );
  }

  /** Hands over the records still in the columns, then commits (librdkafka delivers every queued record first). */
  async commitTransaction(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // A full queue keeps records in the columns: they belong to this transaction, so they go in before the commit.
    while (this.#start < this.#count) {
      if (this.#closed) throw new KafkaClientError('commitTransaction after the producer was closed');
      this.#push();
      if (this.#failed) throw this.#failed;
      if (this.#start === this.#count) break;
      if (Date.now() >= deadline) {
        throw new KafkaOperationError('commitTransaction', {
          code: TIMED_OUT,
          message: `Local: Timed out (${this.#count - this.#start} records still waiting for room in the queue)`,
          isRetriable: true,
        });
      }
      await this.#reportOrTimeout(deadline - Date.now());
    }
    return this.#transactionStep('commitTransaction', 2, Math.max(1, deadline - Date.now()));
  }

  /**
   * Aborts. Records still in the columns are dropped and reported failed as purged, as librdkafka reports those it
   * held: every record `produce` took gets one report.
   */
  abortTransaction(timeoutMs = 60_000): Promise<void> {
    const ints = this.#ints;
    for (let r = this.#start; r < this.#count; r++) {
      const keyLength = ints[KEY_LENGTH * CAPACITY + r]!;
      const valueLength = ints[VALUE_LENGTH * CAPACITY + r]!;
      this.#reportFailed(
        this.#topicNames[ints[TOPIC * CAPACITY + r]!]!,
        ints[PARTITION * CAPACITY + r]!,
        {
          code: PURGE_QUEUE,
          message: 'Local: Purged in queue (the transaction was aborted)',
        },
        Math.max(0, keyLength) + Math.max(0, valueLength),
      );
    }
    this.#start = this.#count = this.#used = 0;
    return this.#transactionStep('abortTransaction', 3, timeoutMs);
  }

  #transactionStep(what: string, step: 0 | 1 | 2 | 3, timeoutMs: number): Promise<void> {
    if (this.#closed) return Promise.reject(new KafkaClientError(`${what} after the producer was closed`));
    return this.#blocking(what, timeoutMs, (done) => this.#addon.spTransaction(this.#handle, step, timeoutMs, done));
  }

  /**
   * A transaction step on libuv's pool, given up (as fatal: the runtime replaces the producer) 10 s past its own
   * timeout. librdkafka does not always keep that timeout: the offsets of `sendOffsetsToTransaction`, queued for a group
   * coordinator whose broker had been killed, waited ~150 s for the socket to fail while the instance sat RUNNING in
   * its commit. Letting go is safe here: the handle is destroyed only once no step runs in it (`jobs` in
   * streams-producer.cc), so a stuck step keeps its pool thread until librdkafka returns, and nothing more.
   */
  #blocking(what: string, timeoutMs: number, call: (done: TransactionDone) => void): Promise<void> {
    return blockingNativeCall(
      what,
      timeoutMs,
      (cb) =>
        call((code, message, flags) =>
          cb(
            code === 0
              ? null
              : {
                  code,
                  message,
                  isRetriable: (flags & 1) !== 0,
                  isTxnRequiresAbort: (flags & 2) !== 0,
                  isFatal: (flags & 4) !== 0,
                },
          ),
        ),
      () => undefined,
    );
  }

  /**
   * Lets what waits be delivered (up to `timeoutMs`), then closes: librdkafka purges what is still queued then, and
   * those records are reported failed.
   */
  disconnect(timeoutMs = 30_000): Promise<void> {
    this.#closing ??= (async () => {
      const deadline = Date.now() + timeoutMs;
      await this.flush(timeoutMs).catch(() => undefined);
      this.#closed = true;
      await new Promise<void>((resolve) => {
        const left = Math.max(0, deadline - Date.now());
        const watchdog = setTimeout(resolve, left + 5_000);
        this.#onClosed = () => {
          clearTimeout(watchdog);
          resolve();
        };
        this.#addon.closeStreamsProducer(this.#handle, left);
      });
    })();
    return this.#closing;
  }
}

/** The size librdkafka counts for headers: per header, name and value plus each one's length as a zigzag varint. */
function headersWireSize(headers: WireHeaders): number {
  let size = 0;
  for (const h of headers) {
    for (const name in h) {
      const value = h[name];
      const nameLength = Buffer.byteLength(name);
      const valueLength = value == null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length;
      size += nameLength + valueLength + varintSize(2 * nameLength) + varintSize(2 * valueLength);
    }
  }
  return size;
}

function varintSize(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

/** Headers in the columns' encoding: u32 name length, name, i32 value length (-1 null), value. */
function encodeHeaders(headers: WireHeaders): Buffer | undefined {
  const parts: Buffer[] = [];
  for (const h of headers) {
    for (const name in h) {
      const value = h[name];
      const nameBytes = Buffer.from(name);
      const valueBytes = value == null ? undefined : typeof value === 'string' ? Buffer.from(value) : value;
      const lengths = Buffer.allocUnsafe(8);
      lengths.writeUInt32LE(nameBytes.length, 0);
      lengths.writeInt32LE(valueBytes === undefined ? -1 : valueBytes.length, 4);
      parts.push(lengths.subarray(0, 4), nameBytes, lengths.subarray(4), ...(valueBytes ? [valueBytes] : []));
    }
  }
  return parts.length === 0 ? undefined : Buffer.concat(parts);
}
