import type { ConsumedMessage } from '../../kafka/kafka-types.js';
import type { AsyncWork } from './async-work.js';

/**
 * A source record that has asynchronous work outstanding (possibly several pieces: a fan-out before the operator, or
 * operators in a chain). Its partition's committed offset stays at or below it until `pending` reaches 0.
 */
export class InFlightRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The raw message, for the processing exception handler and dead letters. */
  readonly message: ConsumedMessage | undefined;
  /** Work submitted for this record and not yet applied. */
  pending = 0;
  /** Exactly-once: finished work waiting until every older record of the partition is applied. */
  readonly completed: AsyncWork[] = [];

  constructor(topic: string, partition: number, offset: number, message: ConsumedMessage | undefined) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.message = message;
  }
}

/** The in-flight records of one input partition, oldest first. */
export class PartitionInFlight {
  #entries: InFlightRecord[] = [];
  #head = 0;

  get oldest(): InFlightRecord | undefined {
    return this.#entries[this.#head];
  }

  get newest(): InFlightRecord | undefined {
    return this.#head < this.#entries.length ? this.#entries[this.#entries.length - 1] : undefined;
  }

  add(record: InFlightRecord): void {
    this.#entries.push(record);
  }

  /** Drops finished records from the front. */
  dropFinished(): void {
    const entries = this.#entries;
    while (this.#head < entries.length && entries[this.#head]!.pending === 0) {
      entries[this.#head++] = undefined as unknown as InFlightRecord;
    }
    if (this.#head === entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
