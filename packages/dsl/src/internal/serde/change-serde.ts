import { SerializationError } from '@kaskade/processor-api';
import type { Headers, Serde } from '@kaskade/processor-api';
import type { Change } from '../change.js';

const HAS_NEW = 1;
const HAS_OLD = 2;

/**
 * Serializes a `Change` (new and old value) for a repartition topic between a table's `groupBy` and its aggregation:
 * a flags byte, the new value's length (4 bytes big-endian), the new value's bytes, then the old value's bytes.
 * Kafka Streams' ChangedSerializer sends the two halves as separate records; here both travel together, which keeps
 * one record per update. (The layout is Kaskade's own; these topics are internal to one application.)
 */
export class ChangeSerde<V> implements Serde<Change<V>> {
  readonly inner: Serde<V>;

  constructor(inner: Serde<V>) {
    this.inner = inner;
  }

  serialize(topic: string, data: Change<V>, headers?: Headers): Buffer {
    const newBytes = data.newValue === null ? undefined : this.inner.serialize(topic, data.newValue, headers);
    const oldBytes = data.oldValue === null ? undefined : this.inner.serialize(topic, data.oldValue, headers);
    const newLength = newBytes?.length ?? 0;
    const out = Buffer.allocUnsafe(5 + newLength + (oldBytes?.length ?? 0));
    out[0] = (newBytes ? HAS_NEW : 0) | (oldBytes ? HAS_OLD : 0);
    out.writeUInt32BE(newLength, 1);
    newBytes?.copy(out, 5);
    oldBytes?.copy(out, 5 + newLength);
    return out;
  }

  deserialize(topic: string, data: Buffer, headers?: Headers): Change<V> {
    if (data.length < 5) throw new SerializationError(`a table change needs at least 5 bytes, got ${data.length}`);
    const flags = data[0]!;
    const newLength = data.readUInt32BE(1);
    const newValue = flags & HAS_NEW ? this.inner.deserialize(topic, data.subarray(5, 5 + newLength), headers) : null;
    const oldValue = flags & HAS_OLD ? this.inner.deserialize(topic, data.subarray(5 + newLength), headers) : null;
    return { newValue, oldValue };
  }
}
