import { TopologyError } from '@kaskade/processor-api';
import type { ProcessorSupplier } from '@kaskade/processor-api';
import type { CogroupedKStream } from '../cogrouped-kstream.js';
import type { Aggregator, Initializer } from '../functions.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';
import type { SessionWindowedCogroupedKStream } from '../session-windowed-cogrouped-kstream.js';
import { SessionWindows } from '../session-windows.js';
import { SlidingWindows } from '../sliding-windows.js';
import type { TimeWindowedCogroupedKStream } from '../time-windowed-cogrouped-kstream.js';
import { TimeWindows } from '../time-windows.js';
import { aggregating } from './aggregate-functions.js';
import { keyValueAggregateStore, sessionAggregateStore, windowAggregateStore } from './aggregate-store.js';
import type { AggregateStore } from './aggregate-store.js';
import { buildCogroupedAggregation } from './aggregation-builder.js';
import { aggregationArgs } from './args.js';
import type { Change } from './change.js';
import { groupedStreamParent, KGroupedStreamImpl } from './kgrouped-stream-impl.js';
import type { GroupedStreamProps } from './kgrouped-stream-impl.js';
import { KStreamAggregate } from './processors/kstream-aggregate.js';
import { KStreamSessionWindowAggregate } from './processors/kstream-session-window-aggregate.js';
import { KStreamSlidingWindowAggregate } from './processors/kstream-sliding-window-aggregate.js';
import { KStreamWindowAggregate } from './processors/kstream-window-aggregate.js';

/** One grouped stream of a cogroup and the aggregator that folds its values (erased: each has its own value type). */
interface Pattern<K, VOut> {
  readonly props: GroupedStreamProps<K, unknown>;
  readonly aggregator: Aggregator<K, unknown, VOut>;
}

/** Makes a grouped stream's processor, given the store and the stream's aggregator. */
type ProcessorFactory<K, KR, VOut> = (
  storeName: string,
  aggregator: Aggregator<K, unknown, VOut>,
) => ProcessorSupplier<K, unknown, KR, Change<VOut>>;

const PREFIX = 'COGROUPKSTREAM-AGGREGATE-';

/**
 * The grouped streams of a cogroup, in order, each with its aggregator; immutable (each `cogroup` returns a new
 * handle). Every aggregation — windowed or not — is built by `buildCogroupedAggregation`.
 *
 * @see org.apache.kafka.streams.kstream.internals.CogroupedKStreamImpl
 */
export class CogroupedKStreamImpl<K, VOut> implements CogroupedKStream<K, VOut> {
  readonly #patterns: readonly Pattern<K, VOut>[];

  private constructor(patterns: readonly Pattern<K, VOut>[]) {
    this.#patterns = Object.freeze(patterns);
  }

  /** `KGroupedStream.cogroup(aggregator)`. */
  static of<K, V, VOut>(
    props: GroupedStreamProps<K, V>,
    aggregator: Aggregator<K, V, VOut>,
  ): CogroupedKStream<K, VOut> {
    return new CogroupedKStreamImpl<K, VOut>([pattern(props, aggregator)]);
  }

  cogroup<VIn>(groupedStream: KGroupedStream<K, VIn>, aggregator: Aggregator<K, VIn, VOut>): CogroupedKStream<K, VOut> {
    if (!(groupedStream instanceof KGroupedStreamImpl)) {
      throw new TopologyError('cogroup() needs a KGroupedStream made by groupByKey() or groupBy()');
    }
    const props = (groupedStream as KGroupedStreamImpl<K, VIn>).internalProps();
    const first = this.#patterns[0]!.props;
    if (props.builder !== first.builder) {
      throw new TopologyError('cogroup(): the grouped streams must come from the same StreamsBuilder');
    }
    if (this.#patterns.some((p) => p.props === props)) {
      throw new TopologyError(`cogroup(): the grouped stream of node ${props.name} is already part of this cogroup`);
    }
    return new CogroupedKStreamImpl<K, VOut>([...this.#patterns, pattern(props, aggregator)]);
  }

  aggregate(
    initializer: Initializer<VOut>,
    first?: Named | Materialized<K, VOut>,
    second?: Materialized<K, VOut>,
  ): KTable<K, VOut> {
    checkFunctions('aggregate()', initializer);
    return this.build(first, second, keyValueAggregateStore(), (storeName, aggregator) => {
      return new KStreamAggregate<K, unknown, VOut>(storeName, aggregating(initializer, aggregator));
    });
  }

  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedCogroupedKStream<K, VOut>;
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedKStream<K, VOut>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedCogroupedKStream<K, VOut> | SessionWindowedCogroupedKStream<K, VOut> {
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows) {
      const timeWindowed: TimeWindowedCogroupedKStream<K, VOut> = {
        aggregate: (initializer, first, second) => {
          checkFunctions('aggregate()', initializer);
          return this.build(first, second, windowAggregateStore(windows), (storeName, aggregator) =>
            windows instanceof SlidingWindows
              ? new KStreamSlidingWindowAggregate<K, unknown, VOut>(storeName, windows, initializer, aggregator)
              : new KStreamWindowAggregate<K, unknown, VOut>(storeName, windows, initializer, aggregator),
          );
        },
      };
      return timeWindowed;
    }
    if (windows instanceof SessionWindows) {
      const sessionWindowed: SessionWindowedCogroupedKStream<K, VOut> = {
        aggregate: (initializer, merger, first, second) => {
          checkFunctions('aggregate() on session windows', initializer, merger);
          return this.build(first, second, sessionAggregateStore(windows), (storeName, aggregator) => {
            return new KStreamSessionWindowAggregate<K, unknown, VOut>(
              storeName,
              windows,
              initializer,
              aggregator,
              merger,
            );
          });
        },
      };
      return sessionWindowed;
    }
    throw new TopologyError('windowedBy() needs TimeWindows, SlidingWindows or SessionWindows');
  }

  private build<KR>(
    first: Named | Materialized<K, VOut> | undefined,
    second: Materialized<K, VOut> | undefined,
    store: AggregateStore<K, KR, VOut>,
    processor: ProcessorFactory<K, KR, VOut>,
  ): KTable<KR, VOut> {
    const firstProps = this.#patterns[0]!.props;
    return buildCogroupedAggregation<K, KR, VOut>({
      ...aggregationArgs(first, second, 'aggregate', PREFIX),
      builder: firstProps.builder,
      // Kafka Streams takes the key serde from Materialized only; the first grouping's is the better default.
      keySerde: firstProps.keySerde,
      store,
      parts: this.#patterns.map(({ props, aggregator }) => ({
        parent: (topicName) => groupedStreamParent(props, topicName),
        processor: (storeName) => processor(storeName, aggregator),
      })),
    });
  }
}

function pattern<K, V, VOut>(props: GroupedStreamProps<K, V>, aggregator: Aggregator<K, V, VOut>): Pattern<K, VOut> {
  if (typeof aggregator !== 'function') throw new TopologyError('cogroup() needs an aggregator function');
  return {
    props: props as GroupedStreamProps<K, unknown>,
    aggregator: aggregator as Aggregator<K, unknown, VOut>,
  };
}

function checkFunctions(operation: string, ...functions: unknown[]): void {
  if (functions.some((f) => typeof f !== 'function')) {
    throw new TopologyError(
      `cogroup ${operation} needs ${functions.length === 1 ? 'an initializer' : 'an initializer and a merger'} function`,
    );
  }
}
