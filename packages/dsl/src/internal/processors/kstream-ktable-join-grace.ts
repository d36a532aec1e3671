import { Record, TopologyError } from '@kaskade/processor-api';
import type { KeyValueStore, Processor, ProcessorContext, ProcessorSupplier, Serde } from '@kaskade/processor-api';
import { ContextualProcessor } from '../contextual-processor.js';
import type { InternalJoiner } from '../internal-joiner.js';
import type { KTableValueGetter, KTableValueGetterSupplier } from '../ktable-value-getter.js';

/**
 * Stream-table join with a grace period against a versioned table (KIP-914, `Joined.withGracePeriod`): stream records
 * wait in a buffer store until the join's observed stream time passes their timestamp + grace, then join, in timestamp
 * order, the table version valid at their timestamp, so table updates that arrive late (within the grace) are seen.
 * A record already older than observed time − grace joins at once. The buffer (`<join>-Buffer`) has a changelog, so
 * buffered records survive a failure. Null values are dropped; null keys join at once (left) or are dropped (inner).
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamKTableJoinProcessor
 */
export interface GraceJoinOptions<K, V, VT, VR> {
  readonly table: KTableValueGetterSupplier<K, VT>;
  readonly joiner: InternalJoiner<V, VT | null, VR, K>;
  readonly leftJoin: boolean;
  readonly graceMs: number;
  /** `<join name>-Buffer`. */
  readonly bufferName: string;
  /** The stream's serdes, to keep records in the buffer. */
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
}

export class KStreamKTableJoinWithGrace<K, V, VT, VR> implements ProcessorSupplier<K, V, K, VR> {
  readonly #options: GraceJoinOptions<K, V, VT, VR>;

  constructor(options: GraceJoinOptions<K, V, VT, VR>) {
    this.#options = options;
  }

  get(): Processor<K, V, K, VR> {
    return new GraceJoinProcessor(this.#options, this.#options.table.get());
  }
}

class GraceJoinProcessor<K, V, VT, VR> extends ContextualProcessor<K, V, K, VR> {
  readonly #s: GraceJoinOptions<K, V, VT, VR>;
  readonly #getter: KTableValueGetter<K, VT>;
  #store!: KeyValueStore<Buffer, Buffer>;
  #observed = Number.NEGATIVE_INFINITY;
  #seq = 0;

  constructor(settings: GraceJoinOptions<K, V, VT, VR>, getter: KTableValueGetter<K, VT>) {
    super();
    this.#s = settings;
    this.#getter = getter;
  }

  override init(context: ProcessorContext<K, VR>): void {
    super.init(context);
    this.#getter.init(context as ProcessorContext<unknown, unknown>);
    this.#store = context.getStateStore<KeyValueStore<Buffer, Buffer>>(this.#s.bufferName);
    if (this.#getter.isVersioned?.() !== true) {
      throw new TopologyError(
        `join "${this.#s.bufferName.replace(/-Buffer$/, '')}": a grace period needs a versioned table (Materialized.as(Stores.persistentVersionedKeyValueStore(...)))`,
      );
    }
  }

  process(record: Record<K, V>): void {
    if (record.timestamp > this.#observed) this.#observed = record.timestamp;
    if (record.value == null) {
      this.context.recordDropped('null-value');
      return;
    }
    const horizon = this.#observed - this.#s.graceMs;
    if (record.key == null || record.timestamp < horizon) this.#join(record.key, record.value, record.timestamp);
    else this.#store.put(this.#bufferKey(record.timestamp), this.#encode(record.key, record.value));
    this.#evict(horizon);
  }

  /** Joins, in timestamp order (then arrival order), every buffered record at or before the horizon. */
  #evict(horizon: number): void {
    const due: Buffer[] = [];
    const iterator = this.#store.all();
    try {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        if (Number(next.value.key.readBigInt64BE(0)) > horizon) break;
        due.push(next.value.key);
        const [key, value] = this.#decode(next.value.value);
        this.#join(key, value, Number(next.value.key.readBigInt64BE(0)));
      }
    } finally {
      iterator.close();
    }
    for (const key of due) this.#store.delete(key);
  }

  #join(key: K | null, value: V, timestamp: number): void {
    const s = this.#s;
    if (key == null) {
      if (s.leftJoin) this.context.forward(new Record(key as K, s.joiner(value, null, key as K), timestamp));
      else this.context.recordDropped('null-key');
      return;
    }
    const tableValue = this.#getter.getAsOf!(key, timestamp);
    if (tableValue === undefined && !s.leftJoin) return;
    this.context.forward(
      new Record(key, s.joiner(value, tableValue === undefined ? null : tableValue.value, key), timestamp),
    );
  }

  /** Timestamp (8 bytes, big-endian: byte order is time order for times >= 0), then a sequence for arrival order. */
  #bufferKey(timestamp: number): Buffer {
    const out = Buffer.allocUnsafe(16);
    out.writeBigInt64BE(BigInt(Math.max(0, timestamp)), 0);
    out.writeBigInt64BE(BigInt(Date.now()) * 1000n + BigInt(this.#seq++ % 1000), 8);
    return out;
  }

  #encode(key: K, value: V): Buffer {
    const { keySerde, valueSerde } = this.#s;
    const k = keySerde.serialize(this.#s.bufferName, key);
    const v = valueSerde.serialize(this.#s.bufferName, value);
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(k.length, 0);
    return Buffer.concat([length, k, v]);
  }

  #decode(bytes: Buffer): [K, V] {
    const { keySerde, valueSerde } = this.#s;
    const n = bytes.readInt32BE(0);
    return [
      keySerde.deserialize(this.#s.bufferName, bytes.subarray(4, 4 + n)),
      valueSerde.deserialize(this.#s.bufferName, bytes.subarray(4 + n)),
    ];
  }
}
