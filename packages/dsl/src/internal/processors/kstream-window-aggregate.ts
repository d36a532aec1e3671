import type {
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Record,
  ValueAndTimestamp,
  Windowed,
  WindowStore,
} from '@kaskade/processor-api';
import type { Aggregator, Initializer } from '../../functions.js';
import type { TimeWindows } from '../../time-windows.js';
import type { Change } from '../change.js';
import { change } from '../change.js';
import { ContextualProcessor } from '../contextual-processor.js';
import { TupleForwarder } from '../tuple-forwarder.js';
import { WindowCloseEmitter } from './window-close-emitter.js';

/**
 * Aggregation over tumbling or hopping windows: for each window the record falls into, updates that window's
 * aggregate in a timestamped window store and forwards the update keyed by `Windowed<K>`. A window is closed once
 * its end + grace <= the stream time this processor has observed; a record is dropped for each closed window it
 * would update, counted as `late`. With `emitOnWindowClose`, updates are not forwarded: each window's final aggregate
 * is, once it closes (see WindowCloseEmitter).
 *
 * @see org.apache.kafka.streams.kstream.internals.KStreamWindowAggregate
 */
export class KStreamWindowAggregate<K, V, VA> implements ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  readonly #storeName: string;
  readonly #windows: TimeWindows;
  readonly #initializer: Initializer<VA>;
  readonly #aggregator: Aggregator<K, V, VA>;
  readonly #emitOnWindowClose: boolean;

  constructor(
    storeName: string,
    windows: TimeWindows,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    emitOnWindowClose = false,
  ) {
    this.#storeName = storeName;
    this.#windows = windows;
    this.#initializer = initializer;
    this.#aggregator = aggregator;
    this.#emitOnWindowClose = emitOnWindowClose;
  }

  get(): Processor<K, V, Windowed<K>, Change<VA>> {
    return new KStreamWindowAggregateProcessor(
      this.#storeName,
      this.#windows,
      this.#initializer,
      this.#aggregator,
      this.#emitOnWindowClose,
    );
  }
}

class KStreamWindowAggregateProcessor<K, V, VA> extends ContextualProcessor<K, V, Windowed<K>, Change<VA>> {
  readonly #storeName: string;
  readonly #windows: TimeWindows;
  readonly #initializer: Initializer<VA>;
  readonly #aggregator: Aggregator<K, V, VA>;
  #store!: WindowStore<K, ValueAndTimestamp<VA>>;
  #forwarder!: TupleForwarder<Windowed<K>, VA>;
  #observedStreamTime = -1;
  readonly #emitOnWindowClose: boolean;
  /** Only with `EmitStrategy.onWindowClose()`. */
  #emitter: WindowCloseEmitter<K, VA> | undefined;

  constructor(
    storeName: string,
    windows: TimeWindows,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    emitOnWindowClose: boolean,
  ) {
    super();
    this.#storeName = storeName;
    this.#windows = windows;
    this.#initializer = initializer;
    this.#aggregator = aggregator;
    this.#emitOnWindowClose = emitOnWindowClose;
  }

  override init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    super.init(context);
    this.#store = context.getStateStore<WindowStore<K, ValueAndTimestamp<VA>>>(this.#storeName);
    this.#forwarder = new TupleForwarder(this.#store, context, 'timestamped');
    if (this.#emitOnWindowClose) {
      this.#emitter = new WindowCloseEmitter(context, this.#storeName, this.#store, this.#windows.sizeMs);
    }
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    if (key == null) {
      this.context.recordDropped('null-key');
      return;
    }
    if (record.value == null) {
      this.context.recordDropped('null-value');
      return;
    }
    const timestamp = record.timestamp;
    this.#observedStreamTime = Math.max(this.#observedStreamTime, timestamp);
    const closeTime = this.#observedStreamTime - this.#windows.graceMs;
    for (const window of this.#windows.windowsFor(timestamp)) {
      if (window.end <= closeTime) {
        this.context.recordDropped('late');
        continue;
      }
      const old = this.#store.fetch(key, window.start);
      const oldAgg = old === undefined ? this.#initializer() : old.value;
      const newTimestamp = old === undefined ? timestamp : Math.max(timestamp, old.timestamp);
      const newAgg = this.#aggregator(key, record.value, oldAgg);
      this.#store.put(key, { value: newAgg, timestamp: newTimestamp }, window.start);
      if (this.#emitter !== undefined) continue;
      this.#forwarder.maybeForward(
        record
          .withKey<Windowed<K>>({ key, window })
          .withValue(change(newAgg, old === undefined ? null : old.value))
          .withTimestamp(newTimestamp),
      );
    }
    this.#emitter?.maybeEmit(record, closeTime);
  }
}
