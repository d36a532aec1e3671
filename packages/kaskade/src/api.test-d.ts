// Type-level tests of the public API as an application sees it through `kaskade` (run by vitest's typecheck).
import { describe, expectTypeOf, it } from 'vitest';
import {
  Consumed,
  JoinWindows,
  Materialized,
  QueryableStoreName,
  QueryableStoreTypes,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  TimeWindows,
} from './index.js';
import type {
  KafkaStreams,
  KStream,
  KTable,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  Windowed,
} from './index.js';

interface Click {
  readonly page: string;
  readonly ms: number;
}

const builder = new StreamsBuilder();
const words = builder.stream('words', Consumed.with(Serdes.String(), Serdes.String()));
const clicks = builder.stream('clicks', Consumed.with(Serdes.String(), Serdes.Json<Click>()));
const users = builder.table('users', Consumed.with(Serdes.String(), Serdes.Json<{ name: string }>()));

describe('DSL inference', () => {
  it('should infer KTable<K, number> from count()', () => {
    expectTypeOf(words.groupByKey().count()).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(words.groupBy((_k, w) => w.length).count()).toEqualTypeOf<KTable<number, number>>();
    expectTypeOf(users.groupBy((k, u) => ({ key: u.name, value: k })).count()).toEqualTypeOf<KTable<string, number>>();
  });

  it('should key windowed aggregations by Windowed<K>', () => {
    const grouped = clicks.groupByKey();
    expectTypeOf(grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count()).toEqualTypeOf<
      KTable<Windowed<string>, number>
    >();
    expectTypeOf(grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1_000)).count()).toEqualTypeOf<
      KTable<Windowed<string>, number>
    >();
    expectTypeOf(
      grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).aggregate(
        () => 0,
        (_k, click, total) => total + click.ms,
      ),
    ).toEqualTypeOf<KTable<Windowed<string>, number>>();
  });

  it("should type each cogrouped stream's aggregator by its own values and key the result like the grouping", () => {
    const co = clicks
      .groupByKey()
      .cogroup<number>((_k, click, total) => total + click.ms)
      .cogroup(words.groupByKey(), (_k, word, total) => {
        expectTypeOf(word).toEqualTypeOf<string>();
        return total + word.length;
      });
    expectTypeOf(co.aggregate(() => 0)).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(co.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).aggregate(() => 0)).toEqualTypeOf<
      KTable<Windowed<string>, number>
    >();
    expectTypeOf(
      co.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1_000)).aggregate(
        () => 0,
        (_k, a, b) => a + b,
      ),
    ).toEqualTypeOf<KTable<Windowed<string>, number>>();
  });

  it('should type the parameters of joiners from both sides', () => {
    const windows = JoinWindows.ofTimeDifferenceWithNoGrace(1_000);
    const joined = words.join(
      clicks,
      (word, click, key) => {
        expectTypeOf(word).toEqualTypeOf<string>();
        expectTypeOf(click).toEqualTypeOf<Click>();
        expectTypeOf(key).toEqualTypeOf<string>();
        return click.ms;
      },
      windows,
    );
    expectTypeOf(joined).toEqualTypeOf<KStream<string, number>>();
    words.leftJoin(users, (word, user) => {
      expectTypeOf(word).toEqualTypeOf<string>();
      expectTypeOf(user).toEqualTypeOf<{ name: string } | null>();
      return null;
    });
    words.outerJoin(
      clicks,
      (word, click) => {
        expectTypeOf(word).toEqualTypeOf<string | null>();
        expectTypeOf(click).toEqualTypeOf<Click | null>();
        return 0;
      },
      windows,
    );
    expectTypeOf(users.join(users, (a, b) => a.name + b.name)).toEqualTypeOf<KTable<string, string>>();
  });

  it('should reject a Materialized whose value type differs from the aggregate', () => {
    // @ts-expect-error count() materializes numbers, not strings
    words.groupByKey().count(Materialized.as<string, string>('counts'));
    words.groupByKey().count(Materialized.as<string, number>('counts'));
  });
});

describe('queryable stores', () => {
  const WORD_COUNTS = QueryableStoreName.keyValue<string, number>('word-counts');
  const CLICKS_PER_MINUTE = QueryableStoreName.window<string, number>('clicks-per-minute');
  const SESSIONS = QueryableStoreName.session<string, number>('sessions');
  words.groupBy((_k, w) => w).count(Materialized.as(WORD_COUNTS));
  clicks.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count(Materialized.as(CLICKS_PER_MINUTE));
  clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1_000)).count(Materialized.as(SESSIONS));

  it("should infer the view's value type from the store name", () => {
    const streams = {} as KafkaStreams;
    const counts = streams.store(WORD_COUNTS, QueryableStoreTypes.keyValueStore());
    expectTypeOf(counts).toEqualTypeOf<ReadOnlyKeyValueStore<string, number>>();
    expectTypeOf(counts.get('kafka')).toEqualTypeOf<number | undefined>();
    expectTypeOf(streams.store(CLICKS_PER_MINUTE, QueryableStoreTypes.windowStore())).toEqualTypeOf<
      ReadOnlyWindowStore<string, number>
    >();
    expectTypeOf(streams.store(SESSIONS, QueryableStoreTypes.sessionStore())).toEqualTypeOf<
      ReadOnlySessionStore<string, number>
    >();
  });

  it('should reject a view that does not match the store the name names', () => {
    const streams = {} as KafkaStreams;
    // @ts-expect-error the store holds plain numbers (timestamps are unwrapped), not ValueAndTimestamp
    streams.store(WORD_COUNTS, QueryableStoreTypes.keyValueStore<string, { value: number }>());
    // @ts-expect-error a window store is not a key-value store
    streams.store(CLICKS_PER_MINUTE, QueryableStoreTypes.keyValueStore());
  });

  it('should reject a typed name whose types differ from the operation that materializes it', () => {
    const WRONG = QueryableStoreName.keyValue<string, string>('wrong');
    // @ts-expect-error count() materializes numbers, but the name says strings
    words.groupByKey().count(Materialized.as(WRONG));
  });
});
