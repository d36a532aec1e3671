import type { ConsumedMessage } from '../kafka/kafka-types.js';

/**
 * Buffered raw messages of one input partition of a task. Messages stay raw until they reach the head, where the
 * task deserializes them and extracts their timestamp (so choosing the next partition uses event time, as Kafka
 * Streams does).
 */
export class PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  /** Index of the source node (in the task's source list) that reads this topic. */
  readonly sourceIndex: number;
  #messages: ConsumedMessage[] = [];
  #next = 0;
  /** Offset + 1 of the last message taken from this queue: what may be committed once its effects are flushed. */
  committableOffset = -1;
  /** Largest extracted timestamp seen on this partition (-1 before the first). */
  partitionTime = -1;
  /** Deserialized head, filled by the task. */
  head: unknown = undefined;
  headTimestamp = -1;
  headMessage: ConsumedMessage | undefined = undefined;

  constructor(topic: string, partition: number, sourceIndex: number) {
    this.topic = topic;
    this.partition = partition;
    this.sourceIndex = sourceIndex;
  }

  push(message: ConsumedMessage): void {
    this.#messages.push(message);
  }

  /** Raw messages waiting behind the head. */
  get buffered(): number {
    return this.#messages.length - this.#next;
  }

  /** Takes the next raw message, or undefined. */
  poll(): ConsumedMessage | undefined {
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

  /** Drops everything buffered (after a seek or an aborted transaction). */
  clear(): void {
    this.#messages = [];
    this.#next = 0;
    this.head = undefined;
    this.headMessage = undefined;
    this.headTimestamp = -1;
  }
}
