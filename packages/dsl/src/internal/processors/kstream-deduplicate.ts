import type { Processor, ProcessorContext, ProcessorSupplier, Record, WindowStore } from '@kaskade/processor-api';
import type { DeduplicationId } from '../../deduplicate-options.js';
import { ContextualProcessor } from '../contextual-processor.js';

/** The reason under which dropped duplicates are counted (`droppedByReason`, `kaskade_records_dropped_total`). */
export const DUPLICATE_REASON = 'duplicate';

/**
 * `deduplicate`: forwards a record unless a record with the same id was seen within `retentionMs` of its timestamp
 * (either direction: out-of-order copies count too), else drops it and counts it as dropped (`duplicate`). The ids
 * live in a window store keyed by id at the first occurrence's timestamp; its retention is `retentionMs`, so ids
 * expire with stream time and the store stays bounded. Under exactly-once the store's changelog writes and the output
 * are in the same transaction, so a replayed record meets exactly the ids committed with the output it produced.
 *
 * A record without an id (null or undefined id, or no source offset as inside a punctuation) cannot be a copy of
 * another: it is forwarded. A record older than the store's retention (stream time - retentionMs) finds no ids and is
 * forwarded too — the store forgot what it would have been compared with; never dropping it is the safe side.
 *
 * @see Kafka Streams KIP-655 (windowed deduplication) and its "event deduplication" example
 */
export class KStreamDeduplicate<K, V, ID> implements ProcessorSupplier<K, V, K, V> {
  readonly #storeName: string;
  readonly #id: DeduplicationId<K, V, ID> | undefined;
  readonly #retentionMs: number;

  constructor(storeName: string, id: DeduplicationId<K, V, ID> | undefined, retentionMs: number) {
    this.#storeName = storeName;
    this.#id = id;
    this.#retentionMs = retentionMs;
  }

  get(): Processor<K, V, K, V> {
    return new KStreamDeduplicateProcessor<K, V, ID>(this.#storeName, this.#id, this.#retentionMs);
  }
}

class KStreamDeduplicateProcessor<K, V, ID> extends ContextualProcessor<K, V, K, V> {
  readonly #storeName: string;
  readonly #id: DeduplicationId<K, V, ID> | undefined;
  readonly #retentionMs: number;
  #store!: WindowStore<unknown, number>;

  constructor(storeName: string, id: DeduplicationId<K, V, ID> | undefined, retentionMs: number) {
    super();
    this.#storeName = storeName;
    this.#id = id;
    this.#retentionMs = retentionMs;
  }

  override init(context: ProcessorContext<K, V>): void {
    super.init(context);
    this.#store = context.getStateStore<WindowStore<unknown, number>>(this.#storeName);
  }

  process(record: Record<K, V>): void {
    const id = this.#idOf(record);
    if (id === null || id === undefined) {
      this.context.forward(record);
      return;
    }
    const ts = record.timestamp;
    // Both bounds exclusive of retentionMs: the store expires a time at exactly stream time - retentionMs.
    const earlier = this.#store.fetch(id, ts - this.#retentionMs + 1, ts + this.#retentionMs - 1);
    let seen: boolean;
    try {
      seen = earlier.peekNextKey() !== undefined;
    } finally {
      earlier.close();
    }
    if (seen) {
      this.context.recordDropped(DUPLICATE_REASON);
      return;
    }
    this.#store.put(id, ts, ts);
    this.context.forward(record);
  }

  #idOf(record: Record<K, V>): unknown {
    const id = this.#id;
    if (id === undefined) return record.key;
    if (id === 'sourceOffset') {
      const m = this.context.recordMetadata();
      return m === null ? null : `${m.topic}/${m.partition}/${m.offset}`;
    }
    return id(record.key, record.value);
  }
}
