import { SerializationError } from '@kaskade/processor-api';
import type { Headers, Serde } from '@kaskade/processor-api';
import type { Change } from '../change.js';
import { ChangeSerde } from './change-serde.js';
import { readTimeBE, writeTimeBE } from './time-bytes.js';

/** An update held in a suppression buffer. */
export interface BufferedChange<V> {
  /** When the entry becomes due: window end (until window closes) or first update's timestamp (time limit). */
  readonly bufferTime: number;
  /** Timestamp of the latest update, given to the emitted record. */
  readonly recordTimestamp: number;
  /** Latest new value, and the value before the first buffered update. */
  readonly change: Change<V>;
}

/** Stored layout: buffer time (8 bytes BE), record timestamp (8 bytes BE), then the change (see ChangeSerde). */
export class BufferedChangeSerde<V> implements Serde<BufferedChange<V>> {
  readonly #change: ChangeSerde<V>;

  constructor(valueSerde: Serde<V>) {
    this.#change = new ChangeSerde(valueSerde);
  }

  serialize(topic: string, data: BufferedChange<V>, headers?: Headers): Buffer {
    const change = this.#change.serialize(topic, data.change, headers);
    const out = Buffer.allocUnsafe(16 + change.length);
    writeTimeBE(out, data.bufferTime, 0);
    writeTimeBE(out, data.recordTimestamp, 8);
    change.copy(out, 16);
    return out;
  }

  deserialize(topic: string, data: Buffer, headers?: Headers): BufferedChange<V> {
    if (data.length < 21) throw new SerializationError(`a buffered change needs at least 21 bytes, got ${data.length}`);
    return {
      bufferTime: readTimeBE(data, 0),
      recordTimestamp: readTimeBE(data, 8),
      change: this.#change.deserialize(topic, data.subarray(16), headers),
    };
  }
}
