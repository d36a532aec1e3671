import { Headers, Record } from '@kaskade/processor-api';
import type { TimestampExtractor } from '@kaskade/processor-api';
import type { ConsumedMessage } from '../kafka/kafka-types.js';
import { fromWireHeaders } from '../kafka/message-headers.js';
import { ExtractRecordMetadataTimestamp } from '../time/extract-record-metadata-timestamp.js';
import type { RecordDeserializer } from './record-deserializer.js';

/** Called for a message whose extracted timestamp is negative (the extractor said skip): it is dropped. */
export type InvalidTimestampHandler = (message: ConsumedMessage, timestamp: number) => void;

/**
 * The buffered messages of one input partition of a task. Messages stay raw until they reach the head, where they
 * are deserialized and their timestamp extracted, so that the task can pick the partition whose head is the oldest
 * in event time, as Kafka Streams does. What cannot be deserialized, or has no valid timestamp, is skipped here (as
 * the handlers say) and only counts as consumed.
 *
 * @see org.apache.kafka.streams.processor.internals.RecordQueue
 */
export class RecordQueue {
  readonly topic: string;
  readonly partition: number;
  readonly deserializer: RecordDeserializer;
  readonly #extractor: TimestampExtractor;
  /** The extractor uses the record's own timestamp: call it only for negative ones (no allocation per record). */
  readonly #ownTimestamp: boolean;
  readonly #onInvalidTimestamp: InvalidTimestampHandler;
  #messages: ConsumedMessage[] = [];
  #next = 0;
  /** Offset + 1 of the last message taken from this queue: what may be committed once its effects are flushed. */
  committableOffset = -1;
  /** Largest extracted timestamp taken from this partition (-1 before the first). */
  partitionTime = -1;
  #head: Record<unknown, unknown> | undefined = undefined;
  #headMessage: ConsumedMessage | undefined = undefined;
  /** Timestamp of the head (valid while {@link hasHead}). */
  headTimestamp = -1;

  constructor(
    topic: string,
    partition: number,
    deserializer: RecordDeserializer,
    extractor: TimestampExtractor,
    onInvalidTimestamp: InvalidTimestampHandler,
  ) {
    this.topic = topic;
    this.partition = partition;
    this.deserializer = deserializer;
    this.#extractor = extractor;
    this.#ownTimestamp = extractor instanceof ExtractRecordMetadataTimestamp;
    this.#onInvalidTimestamp = onInvalidTimestamp;
  }

  /** Offset after the last message pushed (-1: none since creation or {@link clear}): what task idling compares. */
  fetchedPosition = -1;

  push(message: ConsumedMessage): void {
    this.#messages.push(message);
    this.fetchedPosition = message.offset + 1;
  }

  /** Messages buffered, the head included. */
  get buffered(): number {
    return this.#messages.length - this.#next + (this.#headMessage ? 1 : 0);
  }

  /** True when a deserialized head is ready (deserializing the next messages, skipping what must be skipped). */
  hasHead(): boolean {
    return this.#headMessage !== undefined || this.#updateHead();
  }

  /**
   * Takes the head (call after {@link hasHead}); its raw message stays in {@link lastMessage} until the next take.
   * Advances the partition's time; the offset becomes committable once the caller has processed the record.
   */
  takeHead(): Record<unknown, unknown> {
    const record = this.#head!;
    this.lastMessage = this.#headMessage!;
    this.#head = undefined;
    this.#headMessage = undefined;
    if (this.headTimestamp > this.partitionTime) this.partitionTime = this.headTimestamp;
    return record;
  }

  /** The raw message of the record last taken. */
  lastMessage: ConsumedMessage | undefined = undefined;

  /** Drops everything buffered (after a seek or an aborted transaction). */
  clear(): void {
    this.#messages = [];
    this.#next = 0;
    this.#head = undefined;
    this.#headMessage = undefined;
    this.headTimestamp = -1;
    this.fetchedPosition = -1;
  }

  #updateHead(): boolean {
    for (;;) {
      const m = this.#poll();
      if (m === undefined) return false;
      const headers = m.headers === undefined ? Headers.EMPTY : fromWireHeaders(m.headers);
      const d = this.deserializer;
      if (!d.deserialize(m, this.topic, headers)) {
        this.committableOffset = m.offset + 1;
        continue;
      }
      let ts = m.timestamp ?? -1;
      if (!this.#ownTimestamp || ts < 0) {
        ts = this.#extractor.extract(
          {
            topic: this.topic,
            partition: this.partition,
            offset: m.offset,
            timestamp: ts,
            key: d.key,
            value: d.value,
            headers,
          },
          this.partitionTime,
        );
      }
      if (!(ts >= 0)) {
        // A negative timestamp means "skip" (the failing extractor throws instead).
        this.#onInvalidTimestamp(m, ts);
        this.committableOffset = m.offset + 1;
        continue;
      }
      this.#head = new Record(d.key, d.value, ts, headers);
      this.headTimestamp = ts;
      this.#headMessage = m;
      return true;
    }
  }

  /** Takes the next raw message, or undefined. */
  #poll(): ConsumedMessage | undefined {
    if (this.#next >= this.#messages.length) {
      if (this.#next > 0) {
        this.#messages = [];
        this.#next = 0;
      }
      return undefined;
    }
    const m = this.#messages[this.#next]!;
    // Drop the reference early for the GC, and compact once the consumed prefix is large.
    this.#messages[this.#next++] = undefined as unknown as ConsumedMessage;
    if (this.#next > 4096 && this.#next * 2 > this.#messages.length) {
      this.#messages = this.#messages.slice(this.#next);
      this.#next = 0;
    }
    return m;
  }
}
