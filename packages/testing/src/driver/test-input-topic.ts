import { Headers } from '@kaskade/processor-api';
import type { Serde } from '@kaskade/processor-api';

/** What a `TestInputTopic` needs from the driver. */
export interface InputSink {
  pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void;
  wallClockMs(): number;
}

/**
 * Pipes records into one input topic of a `TopologyTestDriver`; each record is processed completely (through all
 * sub-topologies) before the call returns.
 *
 * ```ts
 * const input = driver.createInputTopic('words', Serdes.String(), Serdes.String());
 * input.pipeInput('k', 'hello', 1000);
 * ```
 * @see org.apache.kafka.streams.TestInputTopic
 */
export class TestInputTopic<K, V> {
  readonly topic: string;
  readonly #sink: InputSink;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  #nextTimestamp: number | undefined;
  readonly #autoAdvanceMs: number;

  constructor(
    sink: InputSink,
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: { startTimestampMs?: number; autoAdvanceMs?: number } = {},
  ) {
    this.#sink = sink;
    this.topic = topic;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
    this.#nextTimestamp = options.startTimestampMs;
    this.#autoAdvanceMs = options.autoAdvanceMs ?? 0;
  }

  /**
   * Pipes one record. Without a timestamp, the record gets the topic's next auto-advancing timestamp (when a start
   * was given) or the driver's wall-clock time.
   */
  pipeInput(key: K | null, value: V | null, timestampMs?: number, headers: Headers = Headers.EMPTY): void {
    let ts = timestampMs;
    if (ts === undefined) {
      if (this.#nextTimestamp !== undefined) {
        ts = this.#nextTimestamp;
        this.#nextTimestamp += this.#autoAdvanceMs;
      } else ts = this.#sink.wallClockMs();
    }
    const k = key == null ? null : this.#keySerde.serialize(this.topic, key, headers);
    const v = value == null ? null : this.#valueSerde.serialize(this.topic, value, headers);
    this.#sink.pipe(this.topic, k, v, ts, headers);
  }

  /** Pipes a value with a null key. */
  pipeValue(value: V | null, timestampMs?: number): void {
    this.pipeInput(null, value, timestampMs);
  }

  /** Pipes records in order. */
  pipeRecords(records: readonly { key?: K | null; value: V | null; timestamp?: number; headers?: Headers }[]): void {
    for (const r of records) this.pipeInput(r.key ?? null, r.value, r.timestamp, r.headers);
  }

  /** Pipes raw bytes, bypassing the serdes (to test deserialization errors). */
  pipeRaw(key: Buffer | null, value: Buffer | null, timestampMs: number, headers: Headers = Headers.EMPTY): void {
    this.#sink.pipe(this.topic, key, value, timestampMs, headers);
  }
}
