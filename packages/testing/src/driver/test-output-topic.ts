import type { Serde } from '@kaskade/processor-api';
import type { CapturedRecord, TestRecord } from './test-record.js';

/** What a `TestOutputTopic` reads from the driver. */
export interface OutputSource {
  take(topic: string): CapturedRecord[];
  /** Puts records back at the head of a topic (after reading one). */
  unshift(topic: string, records: CapturedRecord[]): void;
  peekCount(topic: string): number;
}

/**
 * Reads what a topology wrote to one topic, in order, deserialized. Reading consumes: each record is returned once.
 *
 * @see org.apache.kafka.streams.TestOutputTopic
 */
export class TestOutputTopic<K, V> {
  readonly topic: string;
  readonly #source: OutputSource;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;

  constructor(source: OutputSource, topic: string, keySerde: Serde<K>, valueSerde: Serde<V>) {
    this.#source = source;
    this.topic = topic;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
  }

  /** All records not read yet, with key, value, timestamp and headers. */
  readRecordsToList(): TestRecord<K | null, V | null>[] {
    return this.#source.take(this.topic).map((r) => this.#decode(r));
  }

  #decode(r: CapturedRecord): TestRecord<K | null, V | null> {
    return {
      key: r.key === null ? null : this.#keySerde.deserialize(this.topic, r.key, r.headers),
      value: r.value === null ? null : this.#valueSerde.deserialize(this.topic, r.value, r.headers),
      timestamp: r.timestamp,
      headers: r.headers,
    };
  }

  /** All `{ key, value }` pairs not read yet. */
  readKeyValuesToList(): { key: K | null; value: V | null }[] {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }

  /** All keys not read yet. */
  readKeysToList(): (K | null)[] {
    return this.readRecordsToList().map((r) => r.key);
  }

  /** The next record, or throws when there is none (as Kafka's `readRecord`). */
  readRecord(): TestRecord<K | null, V | null> {
    const [first, ...rest] = this.#source.take(this.topic);
    if (!first) throw new Error(`no record left on output topic "${this.topic}"`);
    this.#source.unshift(this.topic, rest);
    return this.#decode(first);
  }

  /** The next `{ key, value }`. */
  readKeyValue(): { key: K | null; value: V | null } {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  /** The next value. */
  readValue(): V | null {
    return this.readRecord().value;
  }

  /** All values not read yet. */
  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** The latest value per key among the records not read yet (a table's view); tombstones remove keys. */
  readKeyValuesToMap(): Map<K | null, V> {
    const map = new Map<K | null, V>();
    for (const r of this.readRecordsToList()) {
      if (r.value === null) map.delete(r.key);
      else map.set(r.key, r.value);
    }
    return map;
  }

  get queueSize(): number {
    return this.#source.peekCount(this.topic);
  }

  isEmpty(): boolean {
    return this.queueSize === 0;
  }
}
