import { KafkaClientError } from '@kaskade/processor-api';
import { RdKafka } from '@confluentinc/kafka-javascript';
import type { DeliveryReport as RdDeliveryReport, LibrdKafkaError, Producer } from '@confluentinc/kafka-javascript';
import './librdkafka-augment.js';
import { producerSettings } from './client-settings.js';
import type { ConsumerClient } from './consumer-client.js';
import { KafkaConsumerClient } from './kafka-consumer-client.js';
import { toKafkaError } from './kafka-client-error.js';
import { NATIVE_GRACE_MS, blockingNativeCall } from './blocking-native-call.js';
import { topicPartitionName } from './topic-partition-name.js';
import { withMetadata } from './with-metadata.js';
import type { ProducerClient } from './producer-client.js';
import type { ClientConfig, DeliveryReport, TopicPartitionOffset, WireHeaders } from './kafka-types.js';

const ERR__QUEUE_FULL = -184;
/**
 * A zero-length view into a one-byte allocation. The client hands librdkafka a Buffer's data pointer and length, and
 * an empty Buffer of its own may have no backing store (a null pointer): librdkafka then writes a null key or value
 * — a tombstone, where the caller asked for empty bytes. This view's pointer is never null.
 */
const EMPTY = Buffer.alloc(1).subarray(0, 0);

export interface ProducerClientOptions {
  readonly bootstrapServers: string;
  readonly clientId?: string;
  /** Makes this a transactional producer (exactly-once). */
  readonly transactionalId?: string;
  readonly config?: ClientConfig;
  /**
   * Called once per delivered (or failed) message, on the JS thread. The native producer reports only failures here,
   * and successes through `onDelivered`.
   */
  readonly onDelivery?: (report: DeliveryReport) => void;
  /**
   * The native producer (`NativeProducerClient`): records delivered to a partition, summed per batch, with the offset
   * of the last. The Kafka client's producer reports every record through `onDelivery` instead.
   */
  readonly onDelivered?: (topic: string, partition: number, count: number, lastOffset: number) => void;
  readonly onError?: (error: Error) => void;
  /** Receives librdkafka's log lines (severity as syslog: 3 = error), e.g. why a connection fails. */
  readonly onLog?: (severity: number, message: string) => void;
  /** librdkafka's statistics JSON, every `statistics.interval.ms` (set it in `config`). */
  readonly onStatistics?: (json: string) => void;
}

/**
 * Wrapper over librdkafka's Producer (callback API). `produce` never waits: delivery reports arrive through
 * `onDelivery` (polled in the background) and `flush` waits for all of them.
 */
export class KafkaProducerClient implements ProducerClient {
  readonly reportsEveryDelivery: boolean;
  readonly #producer: Producer;
  #connected = false;
  /** disconnect() was called: a connect still under way disconnects again when it completes. */
  #closed = false;
  /**
   * Set when a blocking call went unanswered past its timeout (see blockingNativeCall): the client is only fit to be
   * dropped, and only once that call has returned natively (destroying it under a running call is use-after-free).
   */
  #stuck: Promise<void> | undefined;

  constructor(options: ProducerClientOptions) {
    const conf: { [key: string]: unknown } = {
      ...producerSettings(options),
      dr_cb: true,
      ...(options.transactionalId ? { 'transactional.id': options.transactionalId } : {}),
      ...(options.onLog ? { event_cb: true } : {}),
      ...(options.config ?? {}),
    };
    this.#producer = new RdKafka.Producer(conf as never);
    const onlyErrors = conf['delivery.report.only.error'];
    this.reportsEveryDelivery = options.onDelivery !== undefined && onlyErrors !== true && onlyErrors !== 'true';
    if (options.onDelivery) {
      const onDelivery = options.onDelivery;
      this.#producer.on('delivery-report', (err: LibrdKafkaError, r: RdDeliveryReport) => {
        // One report per message on the hot path: reuse the client's object rather than allocating another.
        const report = r as unknown as { -readonly [K in keyof DeliveryReport]: DeliveryReport[K] };
        report.error = err
          ? toKafkaError(`produce to ${topicPartitionName(r.topic, r.partition)}`, err, { topic: r.topic })
          : undefined;
        onDelivery(report);
      });
    }
    if (options.onStatistics) {
      const onStatistics = options.onStatistics;
      this.#producer.on('event.stats', (stats: { message: string }) => onStatistics(stats.message));
    }
    if (options.onError) {
      const onError = options.onError;
      this.#producer.on('event.error', (e: LibrdKafkaError) => onError(toKafkaError('producer', e)));
    }
    if (options.onLog) {
      const onLog = options.onLog;
      this.#producer.on('event.log', (l: { severity: number; message: string }) => onLog(l.severity, l.message));
    }
  }

  connect(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#producer.connect({ timeout: timeoutMs }, (err) => {
        if (err) return reject(toKafkaError('producer connect', err));
        if (this.#closed) {
          this.#producer.disconnect(() => undefined);
          return reject(toKafkaError('producer connect', new Error('disconnected while connecting')));
        }
        this.#producer.setPollInBackground(true);
        this.#connected = true;
        resolve();
      });
    });
  }

  /**
   * Queues one message without waiting. Returns false when librdkafka's queue is full: the caller must `flush`
   * (or wait) and try again.
   * @param partition the partition, or -1 for the client's partitioner
   */
  produce(
    topic: string,
    partition: number,
    value: Buffer | null,
    key: Buffer | null,
    timestamp: number,
    headers?: WireHeaders,
    opaque?: unknown,
  ): boolean {
    // Empty is not null (see EMPTY); one length check per record.
    if (value !== null && value.length === 0) value = EMPTY;
    if (key !== null && key.length === 0) key = EMPTY;
    try {
      this.#producer.produce(topic, partition, value, key, timestamp, opaque, clientHeaders(headers));
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === ERR__QUEUE_FULL) return false;
      throw toKafkaError(`produce to ${topicPartitionName(topic, partition)}`, e, { topic, partition });
    }
  }

  /** Waits until every queued message is delivered or failed (failures arrive as delivery reports). */
  flush(timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#producer.flush(timeoutMs, (err) => (err ? reject(toKafkaError('flush', err)) : resolve()));
    });
  }

  initTransactions(timeoutMs = 60_000): Promise<void> {
    return this.#blocking('initTransactions', timeoutMs, (cb) => this.#producer.initTransactions(timeoutMs, cb));
  }

  /** Starts a transaction (the native call completes asynchronously; produce only after it resolves). */
  beginTransaction(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#producer.beginTransaction((err) => (err ? reject(toKafkaError('beginTransaction', err)) : resolve())),
    );
  }

  sendOffsetsToTransaction(
    offsets: readonly TopicPartitionOffset[],
    consumer: ConsumerClient,
    timeoutMs = 60_000,
  ): Promise<void> {
    if (!(consumer instanceof KafkaConsumerClient)) {
      return Promise.reject(
        new KafkaClientError(
          "the Kafka client's transactions take its own consumer's group metadata; this thread consumes through the native consumer (set nativeConsumer and nativeClient alike for both)",
        ),
      );
    }
    const list = offsets.map((o) =>
      withMetadata({ topic: o.topic, partition: o.partition, offset: o.offset }, o.metadata),
    );
    return this.#blocking('sendOffsetsToTransaction', timeoutMs, (cb) =>
      this.#producer.sendOffsetsToTransaction(list, consumer.native, timeoutMs, cb),
    );
  }

  commitTransaction(timeoutMs = 60_000): Promise<void> {
    return this.#blocking('commitTransaction', timeoutMs, (cb) => this.#producer.commitTransaction(timeoutMs, cb));
  }

  abortTransaction(timeoutMs = 60_000): Promise<void> {
    return this.#blocking('abortTransaction', timeoutMs, (cb) => this.#producer.abortTransaction(timeoutMs, cb));
  }

  #blocking(
    what: string,
    timeoutMs: number,
    call: (cb: (err: LibrdKafkaError | null | undefined) => void) => void,
  ): Promise<void> {
    return blockingNativeCall(what, timeoutMs, call, (nativeEnd) => (this.#stuck = nativeEnd));
  }

  disconnect(timeoutMs = 30_000): Promise<void> {
    this.#closed = true;
    if (!this.#connected) return Promise.resolve();
    this.#connected = false;
    const stuck = this.#stuck;
    if (stuck) {
      // Stuck in a blocking call: let go at once, and disconnect natively only once that call has returned.
      void stuck.then(() => this.#producer.disconnect(timeoutMs, () => undefined));
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const watchdog = setTimeout(resolve, timeoutMs + NATIVE_GRACE_MS);
      this.#producer.disconnect(timeoutMs, () => {
        clearTimeout(watchdog);
        resolve();
      });
    });
  }
}

/**
 * The Kafka client's header list cannot carry a null value: written as empty (README, deviations; the native producer
 * writes null). The same list when there is no null, so the common path allocates nothing.
 */
function clientHeaders(headers: WireHeaders | undefined): { [key: string]: Buffer | string }[] | undefined {
  if (headers === undefined || !hasNull(headers)) return headers as { [key: string]: Buffer | string }[] | undefined;
  return headers.map((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v ?? Buffer.alloc(0)])));
}

/** Whether a header value is null, looked up without making an array per header (it runs per record with headers). */
function hasNull(headers: WireHeaders): boolean {
  for (const h of headers) for (const key in h) if (h[key] === null) return true;
  return false;
}
