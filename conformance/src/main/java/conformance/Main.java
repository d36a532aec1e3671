package conformance;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.CogroupedKStream;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Prints Kafka Streams 4.3.1's describe() of the topologies that Kaskade's DSL tests and examples build, and the
 * TopologyTestDriver outputs of the conformance cases (cache off). The TypeScript tests carry these texts inline.
 */
public final class Main {
    static final Serde<String> S = Serdes.String();
    static final Serde<Long> L = Serdes.Long();
    static final Map<String, Runnable> CASES = new LinkedHashMap<>();

    static void describe(final String name, final Consumer<StreamsBuilder> build) {
        CASES.put(name, () -> {
            final StreamsBuilder b = new StreamsBuilder();
            build.accept(b);
            System.out.print(b.build().describe());
        });
    }

    static void describeTopology(final String name, final Supplier<Topology> build) {
        CASES.put(name, () -> System.out.print(build.get().describe()));
    }

    /** Input step: topic, key, value, timestamp. */
    record In(String topic, String key, String value, long ts) { }

    static In in(final String topic, final String key, final String value, final long ts) {
        return new In(topic, key, value, ts);
    }

    static void run(final String name, final Consumer<StreamsBuilder> build, final In... inputs) {
        run(name, new Properties(), build, inputs);
    }

    /** As run, with extra configuration (e.g. the emit interval of emit-on-window-close). */
    static void run(final String name, final Properties extra, final Consumer<StreamsBuilder> build, final In... inputs) {
        CASES.put(name, () -> {
            final StreamsBuilder b = new StreamsBuilder();
            build.accept(b);
            final Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "conformance");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
            props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
            props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
            props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
            props.putAll(extra);
            try (TopologyTestDriver d = new TopologyTestDriver(b.build(), props)) {
                final Map<String, TestInputTopic<String, String>> topics = new LinkedHashMap<>();
                final var out = d.createOutputTopic("out", S.deserializer(), S.deserializer());
                for (final In i : inputs) {
                    topics.computeIfAbsent(i.topic, t -> d.createInputTopic(t, S.serializer(), S.serializer()))
                        .pipeInput(i.key, i.value, Instant.ofEpochMilli(i.ts));
                    final StringBuilder line = new StringBuilder(i.topic + " " + i.key + "=" + i.value + "@" + i.ts + " ->");
                    for (final TestRecord<String, String> r : out.readRecordsToList()) {
                        line.append(" ").append(r.key()).append("=").append(r.value()).append("@").append(r.timestamp());
                    }
                    System.out.println(line);
                }
            }
        });
    }

    static String w(final Windowed<String> k) {
        return k.key() + "@" + k.window().start() + "/" + k.window().end();
    }

    static String str(final Object o) {
        return o == null ? "null" : o.toString();
    }

    /** Windowed table → "key@start/end" = value to topic out. */
    static void windowedOut(final KTable<Windowed<String>, Long> t) {
        t.toStream().map((k, v) -> KeyValue.pair(w(k), v == null ? null : v.toString())).to("out", Produced.with(S, S));
    }

    /** Three grouped streams: a and b by key, c re-keyed (so it reads a repartition topic). */
    static CogroupedKStream<String, String> cogroupThree(final StreamsBuilder b) {
        final KGroupedStream<String, String> ga = b.stream("a", Consumed.with(S, S)).groupByKey();
        final KGroupedStream<String, String> gb = b.stream("b", Consumed.with(S, S)).groupByKey();
        final KGroupedStream<String, String> gc = b.stream("c", Consumed.with(S, S))
            .groupBy((k, v) -> k, Grouped.with(S, S));
        return ga.<String>cogroup((k, v, agg) -> agg + "a" + v)
            .cogroup(gb, (k, v, agg) -> agg + "b" + v)
            .cogroup(gc, (k, v, agg) -> agg + "c" + v);
    }

    static void windowedStrOut(final KTable<Windowed<String>, String> t) {
        t.toStream().map((k, v) -> KeyValue.pair(w(k), v)).to("out", Produced.with(S, S));
    }

    static final Consumer<StreamsBuilder> COGROUP_THREE = b -> cogroupThree(b)
        .aggregate(() -> "", Materialized.with(S, S)).toStream().to("out", Produced.with(S, S));
    static final Consumer<StreamsBuilder> COGROUP_NAMED = b -> cogroupThree(b)
        .aggregate(() -> "", Named.as("co"), Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("co-store")
            .withKeySerde(S).withValueSerde(S)).toStream().to("out", Produced.with(S, S));
    static final Consumer<StreamsBuilder> COGROUP_TUMBLING = b -> windowedStrOut(cogroupThree(b)
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
        .aggregate(() -> "", Materialized.with(S, S)));
    static final Consumer<StreamsBuilder> COGROUP_SLIDING = b -> windowedStrOut(cogroupThree(b)
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
        .aggregate(() -> "", Materialized.with(S, S)));
    static final Consumer<StreamsBuilder> COGROUP_SESSION = b -> windowedStrOut(cogroupThree(b)
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
        .aggregate(() -> "", (k, x, y) -> x + "|" + y, Materialized.with(S, S)));

    static In[] cogroupInputs() {
        return new In[] {
            in("a", "k", "1", 1), in("b", "k", "2", 3), in("c", "k", "3", 5), in("a", "j", "4", 12),
            in("c", "k", "5", 14), in("b", "k", "6", 30), in("a", "k", "7", 8), in("c", "j", "8", 40),
            in("a", "k", "9", 24),
        };
    }

    /** clicks (key = click id, value = user id) joined with the global table users by the click's value. */
    static final Consumer<StreamsBuilder> GLOBAL_JOIN = b -> b.stream("clicks", Consumed.with(S, S))
        .join(b.globalTable("users", Consumed.with(S, S)), (k, v) -> v, (c, u) -> c + "+" + u)
        .to("out", Produced.with(S, S));
    static final Consumer<StreamsBuilder> GLOBAL_LEFT_JOIN = b -> b.stream("clicks", Consumed.with(S, S))
        .leftJoin(b.globalTable("users", Consumed.with(S, S)), (k, v) -> v, (c, u) -> c + "+" + u)
        .to("out", Produced.with(S, S));

    /** A key selector that maps "none" to null: dropped by both joins unless the stream key is null (left join). */
    static final Consumer<StreamsBuilder> GLOBAL_NULL_KEYS = b -> {
        final GlobalKTable<String, String> users = b.globalTable("users", Consumed.with(S, S));
        final KStream<String, String> clicks = b.stream("clicks", Consumed.with(S, S));
        clicks.join(users, (k, v) -> v.equals("none") ? null : v, (c, u) -> "inner:" + c + "+" + u)
            .to("out", Produced.with(S, S));
        b.stream("clicks2", Consumed.with(S, S))
            .leftJoin(users, (k, v) -> v.equals("none") ? null : v, (c, u) -> "left:" + c + "+" + u)
            .to("out", Produced.with(S, S));
    };

    /** A table over a versioned store (history retention 100 ms). */
    static KTable<String, String> versionedUsers(final StreamsBuilder b) {
        return b.table("users", Consumed.with(S, S),
            Materialized.<String, String>as(Stores.persistentVersionedKeyValueStore("users-v", Duration.ofMillis(100)))
                .withKeySerde(S).withValueSerde(S));
    }

    static In[] versionedInputs() {
        return new In[] {
            in("users", "u1", "a", 10), in("users", "u1", "b", 20), in("clicks", "u1", "x", 15),
            in("clicks", "u1", "y", 25), in("clicks", "u1", "z", 5), in("users", "u1", "old", 12),
            in("clicks", "u1", "w", 13), in("users", "u1", null, 30), in("clicks", "u1", "v", 35),
            in("clicks", "u1", "q", 22), in("users", "u2", "k", 500), in("clicks", "u1", "r", 15),
            in("clicks", "u1", "s", 450), in("users", "u1", "late", 350), in("users", "u1", "new", 460),
            in("clicks", "u1", "t", 455),
        };
    }

    static final Consumer<StreamsBuilder> VERSIONED_GRACE = b -> b.stream("clicks", Consumed.with(S, S))
        .join(versionedUsers(b), (c, u) -> c + "+" + u,
            Joined.<String, String, String>with(S, S, S).withGracePeriod(Duration.ofMillis(10)))
        .to("out", Produced.with(S, S));
    static final Consumer<StreamsBuilder> VERSIONED_GRACE_LEFT = b -> b.stream("clicks", Consumed.with(S, S))
        .leftJoin(versionedUsers(b), (c, u) -> c + "+" + u,
            Joined.<String, String, String>with(S, S, S).withGracePeriod(Duration.ofMillis(10)))
        .to("out", Produced.with(S, S));

    static In[] graceInputs() {
        return new In[] {
            in("users", "u1", "a", 10), in("clicks", "u1", "x", 15), in("users", "u1", "b", 12),
            in("clicks", "u1", "y", 30), in("clicks", "u1", "z", 18), in("users", "u1", "c", 25),
            in("clicks", "u2", "q", 33), in("clicks", "u1", "w", 41), in("clicks", "u1", "v", 41),
            in("clicks", "u1", "s", 39), in("clicks", "u1", "t", 60), in("clicks", "u1", "r", 50),
            in("clicks", "u1", "e", 70),
        };
    }

    static In[] globalJoinInputs() {
        return new In[] {
            in("clicks", "c1", "u1", 1), in("users", "u1", "alice", 2), in("clicks", "c2", "u1", 3),
            in("clicks", "c3", "u2", 4), in("users", "u2", "bob", 5), in("clicks", "c4", "u2", 2),
            in("users", "u1", null, 6), in("clicks", "c5", "u1", 7), in("clicks", "c6", null, 8),
            in("users", "u2", "bobby", 1), in("clicks", "c7", "u2", 9),
        };
    }

    static final Consumer<StreamsBuilder> FK_INNER = b -> b.table("orders", Consumed.with(S, S))
        .join(b.table("products", Consumed.with(S, S)), v -> v.split(":")[0], (o, p) -> o + "/" + p)
        .toStream().to("out", Produced.with(S, S));
    static final Consumer<StreamsBuilder> FK_LEFT = b -> b.table("orders", Consumed.with(S, S))
        .leftJoin(b.table("products", Consumed.with(S, S)), v -> v.split(":")[0], (o, p) -> o + "/" + p)
        .toStream().to("out", Produced.with(S, S));

    static In[] fkInputs() {
        return new In[] {
            in("orders", "o1", "p1:1", 1), in("products", "p1", "P1", 2), in("orders", "o2", "p1:2", 3),
            in("products", "p1", "P1b", 4), in("orders", "o1", "p2:3", 5), in("products", "p2", "P2", 6),
            in("orders", "o1", "p2:4", 7), in("products", "p1", null, 8), in("orders", "o2", null, 9),
            in("orders", "o3", "p3:1", 10), in("products", "p2", null, 11), in("products", "p2", "P2b", 12),
            in("orders", "o1", "p1:5", 13), in("orders", "o4", "p2:1", 14), in("orders", "o4", null, 15),
            in("orders", "o5", "p2:2", 16), in("orders", "o5", "p2:2", 17),
        };
    }

    public static void main(final String[] args) {
        defineDescribes();
        defineRuns();
        for (final var e : CASES.entrySet()) {
            if (args.length > 0 && !List.of(args).contains(e.getKey())) continue;
            System.out.println("=== " + e.getKey());
            e.getValue().run();
        }
    }

    static void defineDescribes() {
        describe("cogroup-three", COGROUP_THREE);
        describe("cogroup-named", COGROUP_NAMED);
        describe("cogroup-tumbling-window", COGROUP_TUMBLING);
        describe("cogroup-sliding-window", COGROUP_SLIDING);
        describe("cogroup-session-window", COGROUP_SESSION);
        describe("word-count", b -> b.stream("text", Consumed.with(S, S))
            .flatMapValues(line -> List.of(line.split(" ")))
            .groupBy((k, word) -> word, Grouped.with(S, S))
            .count()
            .toStream()
            .to("counts", Produced.with(S, L)));
        describe("stream-stream-join-named", b -> b.stream("left", Consumed.with(S, S))
            .join(b.stream("right", Consumed.with(S, S)), (a, c) -> a + c,
                JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)),
                StreamJoined.with(S, S, S).withStoreName("orders"))
            .to("out", Produced.with(S, S)));
        describe("stream-stream-inner-join", b -> b.stream("left", Consumed.with(S, S))
            .join(b.stream("right", Consumed.with(S, S)), (a, c) -> a + c,
                JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(10)))
            .to("out", Produced.with(S, S)));
        describe("stream-stream-left-join", b -> b.stream("left", Consumed.with(S, S))
            .leftJoin(b.stream("right", Consumed.with(S, S)), (a, c) -> a + c,
                JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .to("out", Produced.with(S, S)));
        describe("stream-stream-outer-join", b -> b.stream("left", Consumed.with(S, S))
            .outerJoin(b.stream("right", Consumed.with(S, S)), (a, c) -> a + c,
                JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(5)))
            .to("out", Produced.with(S, S)));
        describe("stream-stream-join-rekeyed", b -> b.stream("left", Consumed.with(S, S))
            .selectKey((k, v) -> v)
            .join(b.stream("right", Consumed.with(S, S)), (a, c) -> a + c,
                JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(10)))
            .to("out", Produced.with(S, S)));
        describe("stream-global-table-join", GLOBAL_JOIN);
        describe("stream-global-table-left-join", GLOBAL_LEFT_JOIN);
        describe("stream-global-table-join-named", b -> b.stream("clicks", Consumed.with(S, S))
            .join(b.globalTable("users", Consumed.with(S, S), Materialized.as("users-store")),
                (k, v) -> v, (c, u) -> c + u, Named.as("clicks-users"))
            .to("out", Produced.with(S, S)));
        describe("global-table-then-stream-table-join", b -> {
            b.globalTable("users", Consumed.with(S, S));
            b.stream("clicks", Consumed.with(S, S))
                .join(b.table("prices", Consumed.with(S, S)), (c, u) -> c + u)
                .to("out", Produced.with(S, S));
        });
        describe("stream-versioned-table-join-grace", VERSIONED_GRACE);
        describe("stream-table-join", b -> b.stream("clicks", Consumed.with(S, S))
            .join(b.table("users", Consumed.with(S, S)), (c, u) -> c + u)
            .to("out", Produced.with(S, S)));
        describe("stream-table-left-join", b -> b.stream("clicks", Consumed.with(S, S))
            .leftJoin(b.table("users", Consumed.with(S, S)), (c, u) -> c + u)
            .to("out", Produced.with(S, S)));
        describe("stream-table-join-rekeyed", b -> {
            final KTable<String, String> users = b.table("users", Consumed.with(S, S));
            b.stream("clicks", Consumed.with(S, S))
                .map((k, v) -> KeyValue.pair(v, v))
                .join(users, (c, u) -> c + u, Joined.with(S, S, S).withName("clicks-users"))
                .to("out", Produced.with(S, S));
        });
        describe("table-table-joins", b -> {
            final KTable<String, String> l = b.table("l", Consumed.with(S, S));
            final KTable<String, String> r = b.table("r", Consumed.with(S, S));
            l.join(r, (x, y) -> x + y).toStream().to("inner", Produced.with(S, S));
            l.leftJoin(r, (x, y) -> x + y).toStream().to("left", Produced.with(S, S));
            l.outerJoin(r, (x, y) -> x + y).toStream().to("outer", Produced.with(S, S));
        });
        describe("tumbling-count", b -> b.stream("in", Consumed.with(S, S)).groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .count().toStream().map((k, v) -> KeyValue.pair(k.key(), v)).to("out", Produced.with(S, L)));
        describe("sliding-count", b -> b.stream("in", Consumed.with(S, S)).groupByKey()
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(100)))
            .count().toStream().map((k, v) -> KeyValue.pair(k.key(), v)).to("out", Produced.with(S, L)));
        describe("session-count", b -> b.stream("in", Consumed.with(S, S)).groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .count().toStream().map((k, v) -> KeyValue.pair(k.key(), v)).to("out", Produced.with(S, L)));
        describe("suppress-until-window-closes", b -> b.stream("in", Consumed.with(S, S)).groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .count()
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
            .toStream().map((k, v) -> KeyValue.pair(k.key(), v)).to("out", Produced.with(S, L)));
        describe("emit-on-window-close", b -> b.stream("in", Consumed.with(S, S)).groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .emitStrategy(EmitStrategy.onWindowClose())
            .count().toStream().map((k, v) -> KeyValue.pair(k.key(), v)).to("out", Produced.with(S, L)));
        describe("session-emit-on-window-close", b -> b.stream("in", Consumed.with(S, S)).groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .emitStrategy(EmitStrategy.onWindowClose())
            .count().toStream().map((k, v) -> KeyValue.pair(k.key(), v)).to("out", Produced.with(S, L)));
        describe("split-unnamed", b -> {
            final Map<String, KStream<String, String>> branches = b.stream("in", Consumed.with(S, S))
                .split()
                .branch((k, v) -> v.equals("x"))
                .branch((k, v) -> v.equals("y"))
                .noDefaultBranch();
            branches.get("KSTREAM-BRANCH-00000000011").filter((k, v) -> true).to("x", Produced.with(S, S));
            branches.get("KSTREAM-BRANCH-00000000012").to("y", Produced.with(S, S));
        });
        describe("split-named", b -> {
            final Map<String, KStream<String, String>> branches = b.stream("in", Consumed.with(S, S))
                .split(Named.as("n-"))
                .branch((k, v) -> v.startsWith("-"), Branched.as("negative"))
                .branch((k, v) -> v.equals("0"), Branched.withConsumer(s -> s.foreach((k, v) -> { })))
                .branch((k, v) -> v.length() < 2, Branched.withFunction(s -> s.mapValues(v -> v + "00"), "small"))
                .defaultBranch(Branched.as("large"));
            branches.get("n-negative").to("negative", Produced.with(S, S));
            branches.get("n-small").to("small", Produced.with(S, S));
            branches.get("n-large").to("large", Produced.with(S, S));
        });
        describe("table-filter", b -> b.table("t", Consumed.with(S, S))
            .filter((k, v) -> v.startsWith("x"))
            .toStream().to("out", Produced.with(S, S)));
        describe("table-filter-map-values", b -> b.table("t", Consumed.with(S, S))
            .filter((k, v) -> v.startsWith("x"))
            .mapValues(v -> v.toUpperCase())
            .toStream().to("out", Produced.with(S, S)));
        describe("to-table", b -> b.stream("in", Consumed.with(S, S))
            .toTable()
            .toStream().to("out", Produced.with(S, S)));
        describe("to-table-rekeyed", b -> b.stream("in", Consumed.with(S, S))
            .selectKey((k, v) -> v.split(":")[0])
            .toTable()
            .toStream().to("out", Produced.with(S, S)));
        describe("table-group-by-count", b -> b.table("t", Consumed.with(S, S))
            .groupBy((k, v) -> KeyValue.pair(v, k), Grouped.with(S, S))
            .count()
            .toStream().to("out", Produced.with(S, L)));
        describe("merge", b -> b.stream("a", Consumed.with(S, S))
            .merge(b.stream("b", Consumed.with(S, S)))
            .to("out", Produced.with(S, S)));
        describe("stateless-chain", b -> {
            final KStream<String, String> s = b.stream("in", Consumed.with(S, S));
            s.filter((k, v) -> true).filterNot((k, v) -> false).mapValues(v -> v).to("a", Produced.with(S, S));
            s.map((k, v) -> KeyValue.pair(v, k)).peek((k, v) -> { }).to("b", Produced.with(S, S));
            s.foreach((k, v) -> { });
        });
    }

    static {
        describe("multi-topic-source-and-stores", b -> {
            b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("zeta-store"), S, S));
            b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("alpha"), S, S));
            b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("m"), S, S));
            b.stream(List.of("zeta", "alpha", "mid", "b"), Consumed.with(S, S))
                .processValues(() -> new FixedKeyProcessor<String, String, String>() {
                    public void process(final FixedKeyRecord<String, String> r) { }
                }, "zeta-store", "alpha", "m")
                .to("out", Produced.with(S, S));
        });
    }

    static {
        describe("grouped-stream-aggregations", b -> {
            final var g = b.stream("in", Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
            g.count().toStream().to("counts", Produced.with(S, L));
            g.reduce((x, y) -> x + y).toStream().to("reduced", Produced.with(S, S));
            g.aggregate(() -> "", (k, v, agg) -> agg + v, Materialized.with(S, S)).toStream().to("aggregated", Produced.with(S, S));
        });
        describe("group-by-named", b -> b.stream("text", Consumed.with(S, S))
            .groupBy((k, v) -> v, Grouped.<String, String>as("by-value").withKeySerde(S).withValueSerde(S))
            .count(Named.as("count-by-value"), Materialized.as("by-value-counts"))
            .toStream(Named.as("to-out"))
            .to("out", Produced.with(S, L).withName("out-sink")));
        describe("named-stateless", b -> b.stream("in", Consumed.<String, String>as("my-source").withKeySerde(S).withValueSerde(S))
            .filter((k, v) -> true, Named.as("my-filter"))
            .mapValues(v -> v, Named.as("my-map"))
            .to("out", Produced.as("my-sink")));
        describe("repartition-named", b -> b.stream("in", Consumed.with(S, S))
            .repartition(org.apache.kafka.streams.kstream.Repartitioned.<String, String>as("by-key").withNumberOfPartitions(4))
            .to("out", Produced.with(S, S)));
        describe("repartition-unnamed", b -> b.stream("in", Consumed.with(S, S))
            .selectKey((k, v) -> v)
            .repartition()
            .to("out", Produced.with(S, S)));
        describe("shared-grouping", b -> {
            final var g = b.stream("in", Consumed.with(S, S)).selectKey((k, v) -> v)
                .groupByKey(Grouped.<String, String>as("g").withKeySerde(S).withValueSerde(S));
            g.count(Materialized.as("c1"));
            g.reduce((x, y) -> x + y, Materialized.as("c2"));
        });
        describe("joined-table-lookup", b -> {
            final KTable<String, String> joined = b.table("l", Consumed.with(S, S))
                .join(b.table("r", Consumed.with(S, S)), (x, y) -> x + y)
                .mapValues(v -> v.toUpperCase());
            b.stream("s", Consumed.with(S, S)).join(joined, (x, y) -> x + ":" + y).to("out", Produced.with(S, S));
        });
        describe("fk-join-inner", FK_INNER);
        describe("fk-join-left", FK_LEFT);
        describe("fk-join-materialized-then-filter", b -> b.table("orders", Consumed.with(S, S))
            .join(b.table("products", Consumed.with(S, S)), v -> v.split(":")[0], (o, p) -> o + "/" + p,
                Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("fk-result").withValueSerde(S))
            .filter((k, v) -> v.length() > 3)
            .toStream().to("out", Produced.with(S, S)));
        describe("fk-join-then-join", b -> {
            final KTable<String, String> joined = b.table("orders", Consumed.with(S, S))
                .leftJoin(b.table("products", Consumed.with(S, S)), v -> v.split(":")[0], (o, p) -> o + "/" + p);
            b.stream("s", Consumed.with(S, S)).join(joined, (x, y) -> x + ":" + y).to("out", Produced.with(S, S));
        });
        describe("table-table-join-materialized", b -> b.table("l", Consumed.with(S, S))
            .join(b.table("r", Consumed.with(S, S)), (x, y) -> x + y,
                Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("joined").withValueSerde(S)));
        describe("table-group-by-reduce-aggregate", b -> {
            final var g = b.table("t", Consumed.with(S, S)).groupBy((k, v) -> KeyValue.pair(v, k), Grouped.with(S, S));
            g.reduce((x, y) -> x + y, (x, y) -> x).toStream().to("reduced", Produced.with(S, S));
            g.aggregate(() -> "", (k, v, agg) -> agg + v, (k, v, agg) -> agg, Materialized.with(S, S))
                .toStream().to("aggregated", Produced.with(S, S));
        });
        describe("session-suppressed", b -> b.stream("in", Consumed.with(S, S)).groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .count()
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
            .toStream().map((k, v) -> KeyValue.pair(k.key(), v)).to("out", Produced.with(S, L)));
        describe("suppress-time-limit", b -> b.table("in", Consumed.with(S, S))
            .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(10), Suppressed.BufferConfig.unbounded()))
            .toStream().to("out", Produced.with(S, S)));
        describe("stream-table-left-join-named-repartition", b -> {
            final KTable<String, String> t = b.table("t", Consumed.with(S, S), Materialized.as("t-store"));
            b.stream("s", Consumed.with(S, S)).selectKey((k, v) -> v)
                .leftJoin(t, (x, y) -> x + y)
                .to("out", Produced.with(S, S));
        });
        describe("stream-stream-left-join-named", b -> b.stream("left", Consumed.with(S, S))
            .leftJoin(b.stream("right", Consumed.with(S, S)), (x, y) -> x + y,
                JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)),
                StreamJoined.<String, String, String>with(S, S, S).withName("j").withStoreName("s"))
            .to("out", Produced.with(S, S)));
        describe("process-and-merge", b -> {
            final KStream<String, String> a = b.stream("a", Consumed.with(S, S));
            final KStream<String, String> c = b.stream("c", Consumed.with(S, S));
            a.merge(c, Named.as("merged"))
                .process(() -> new Processor<String, String, String, String>() { public void process(final Record<String, String> r) { } })
                .to("out", Produced.with(S, S));
        });
    }

    static final String DEDUP_STORE = "order-ids";

    static void defineExamples() {
        describe("example-word-count", b -> b.stream("lines", Consumed.with(S, S))
            .flatMapValues(line -> List.of(line.split(" ")))
            .groupBy((k, word) -> word, Grouped.with(S, S))
            .count(Materialized.as("word-counts"))
            .toStream()
            .to("counts", Produced.with(S, L)));
        describe("example-page-views", b -> b.stream("views", Consumed.with(S, S))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(60_000), Duration.ofMillis(10_000)))
            .count(Materialized.as("page-view-counts"))
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("page-view-finals"))
            .toStream()
            .filter((key, v) -> !key.key().equals("__tick__"))
            .to("per-minute"));
        describe("example-pipeline", b -> {
            b.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(DEDUP_STORE, Duration.ofMinutes(10), Duration.ofMinutes(10), false), S, L));
            final KTable<String, String> customers = b.table("customers", Consumed.with(S, S),
                Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("customers"));
            final KStream<String, String> validated = b.stream("orders", Consumed.with(S, S).withName("orders"))
                .mapValues((key, raw) -> raw, Named.as("validate"));
            validated.flatMapValues(v -> List.of(v), Named.as("invalid"))
                .to("orders-failed", Produced.with(S, S).withName("failed-sink"));
            validated.flatMapValues(v -> List.of(v), Named.as("valid"))
                .processValues(() -> new FixedKeyProcessor<String, String, String>() {
                    public void process(final FixedKeyRecord<String, String> r) { }
                }, Named.as("deduplicate"), DEDUP_STORE)
                .selectKey((id, order) -> order, Named.as("by-customer"))
                .leftJoin(customers, (o, c) -> o + c, Joined.with(S, S, S).withName("enrich"))
                .mapValues(v -> v, Named.as("transform"))
                .selectKey((c, e) -> e, Named.as("by-order"))
                .to("orders-enriched", Produced.with(S, S).withName("enriched-sink"));
        });
        describeTopology("example-orders-processor-api", () -> new Topology()
            .addSource("orders-source", "orders")
            .addProcessor("validate", () -> new Processor<String, String, String, String>() { public void process(final Record<String, String> r) { } }, "orders-source")
            .addProcessor("enrich", () -> new Processor<String, String, String, String>() { public void process(final Record<String, String> r) { } }, "validate")
            .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("customer-totals"), S, L), "enrich")
            .addSink("enriched-sink", "orders-enriched", "enrich")
            .addSink("failed-sink", "orders-failed", "validate"));
    }

    static void defineRuns() {
        defineExamples();
        run("stream-global-table-join-run", GLOBAL_JOIN, globalJoinInputs());
        run("stream-global-table-left-join-run", GLOBAL_LEFT_JOIN, globalJoinInputs());
        run("stream-global-table-null-keys-run", GLOBAL_NULL_KEYS,
            in("users", "u1", "alice", 1), in("clicks", "c1", "none", 2), in("clicks", null, "u1", 3),
            in("clicks2", "c1", "none", 4), in("clicks2", null, "u1", 5), in("clicks2", null, "none", 6),
            in("clicks2", "c2", "u9", 7));
        run("stream-versioned-table-join-run", b -> b.stream("clicks", Consumed.with(S, S))
            .join(versionedUsers(b), (c, u) -> c + "+" + u).to("out", Produced.with(S, S)), versionedInputs());
        run("stream-versioned-table-left-join-run", b -> b.stream("clicks", Consumed.with(S, S))
            .leftJoin(versionedUsers(b), (c, u) -> c + "+" + u).to("out", Produced.with(S, S)), versionedInputs());
        run("versioned-table-source-run", b -> versionedUsers(b).toStream().to("out", Produced.with(S, S)),
            java.util.Arrays.stream(versionedInputs()).filter(i -> i.topic().equals("users")).toArray(In[]::new));
        run("stream-versioned-table-join-grace-run", VERSIONED_GRACE, graceInputs());
        run("stream-versioned-table-left-join-grace-run", VERSIONED_GRACE_LEFT, graceInputs());
        run("cogroup-three-run", COGROUP_THREE, cogroupInputs());
        run("cogroup-tumbling-window-run", COGROUP_TUMBLING, cogroupInputs());
        run("cogroup-sliding-window-run", COGROUP_SLIDING, cogroupInputs());
        run("cogroup-session-window-run", COGROUP_SESSION, cogroupInputs());
        // 1. Session windows: late only when sessionEnd < observedStreamTime - grace - gap.
        run("session-lateness-no-grace", b -> windowedOut(b.stream("in", Consumed.with(S, S)).groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(10))).count()),
            in("in", "a", "v", 10), in("in", "b", "v", 30), in("in", "a", "v", 20), in("in", "a", "v", 19),
            in("in", "c", "v", 19), in("in", "c", "v", 20));
        run("session-lateness-grace", b -> windowedOut(b.stream("in", Consumed.with(S, S)).groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(10), Duration.ofMillis(5))).count()),
            in("in", "a", "v", 10), in("in", "b", "v", 35), in("in", "a", "v", 20), in("in", "a", "v", 19),
            in("in", "b", "v", 15), in("in", "d", "v", 100), in("in", "b", "v", 75), in("in", "b", "v", 74));
        run("session-lateness-boundary", b -> windowedOut(b.stream("in", Consumed.with(S, S)).groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(5), Duration.ofMillis(3))).count()),
            in("in", "a", "v", 20), in("in", "b", "v", 17), in("in", "b", "v", 16), in("in", "c", "v", 12),
            in("in", "c", "v", 11), in("in", "d", "v", 11), in("in", "e", "v", 13), in("in", "e", "v", 12));
        // 2. Join partners expire by their own store's observed time.
        final JoinWindows jw = JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5));
        run("join-expiry-inner", b -> b.stream("left", Consumed.with(S, S))
                .join(b.stream("right", Consumed.with(S, S)), (x, y) -> x + "+" + y, jw).to("out", Produced.with(S, S)),
            in("left", "a", "L1", 0), in("right", "x", "X", 40), in("right", "a", "R10", 10), in("right", "a", "R11", 11),
            in("left", "b", "L2", 5), in("left", "y", "Y", 60), in("right", "b", "R15", 15), in("left", "a", "L3", 100));
        run("join-expiry-left", b -> b.stream("left", Consumed.with(S, S))
                .leftJoin(b.stream("right", Consumed.with(S, S)), (x, y) -> x + "+" + y, jw).to("out", Produced.with(S, S)),
            in("right", "a", "R0", 0), in("left", "x", "X", 40), in("left", "a", "L10", 10), in("left", "a", "L11", 11),
            in("left", "z", "Z", 100));
        run("join-expiry-left-within-grace", b -> b.stream("left", Consumed.with(S, S))
                .leftJoin(b.stream("right", Consumed.with(S, S)), (x, y) -> x + "+" + y, jw).to("out", Produced.with(S, S)),
            in("right", "a", "R0", 0), in("left", "x", "X", 10), in("left", "y", "Y", 22), in("left", "a", "L10", 10),
            in("left", "z", "Z", 100));
        run("join-expiry-outer", b -> b.stream("left", Consumed.with(S, S))
                .outerJoin(b.stream("right", Consumed.with(S, S)), (x, y) -> x + "+" + y, jw).to("out", Produced.with(S, S)),
            in("right", "a", "R0", 0), in("left", "x", "X", 40), in("left", "a", "L10", 10), in("right", "x", "RX", 41),
            in("left", "z", "Z", 100));
        // 7. The deliberate deviation: Kafka Streams emits L+null as soon as L's window closed without grace.
        run("join-spurious-left", b -> b.stream("left", Consumed.with(S, S))
                .leftJoin(b.stream("right", Consumed.with(S, S)), (x, y) -> x + "+" + y, jw).to("out", Produced.with(S, S)),
            in("left", "x", "X", 12), in("left", "a", "L0", 0), in("right", "a", "R9", 9), in("left", "z", "Z", 100));
        // 3. KTableFilter forwards (null, null) unless old values are sent.
        run("table-filter-deletes", b -> b.table("t", Consumed.with(S, S))
                .filter((k, v) -> v.startsWith("x"))
                .mapValues(v -> v.toUpperCase())
                .toStream().to("out", Produced.with(S, S)),
            in("t", "a", "x1", 1), in("t", "b", "y1", 2), in("t", "a", "y2", 3), in("t", "a", "y3", 4),
            in("t", "a", null, 5), in("t", "c", null, 6), in("t", "b", "x2", 7));
        run("table-filter-materialized", b -> b.table("t", Consumed.with(S, S))
                .filter((k, v) -> v.startsWith("x"), Materialized.as("filtered"))
                .toStream().to("out", Produced.with(S, S)),
            in("t", "a", "x1", 1), in("t", "b", "y1", 2), in("t", "a", "y2", 3), in("t", "c", null, 6));
        run("table-filter-old-values", b -> b.table("t", Consumed.with(S, S))
                .filter((k, v) -> v.startsWith("x"))
                .groupBy((k, v) -> KeyValue.pair(v, k), Grouped.with(S, S))
                .count().toStream().mapValues(v -> v.toString()).to("out", Produced.with(S, S)),
            in("t", "a", "x1", 1), in("t", "b", "y1", 2), in("t", "a", "y2", 3), in("t", "c", null, 6),
            in("t", "b", "x1", 7));
        run("table-two-filters", b -> {
                final KTable<String, String> t = b.table("t", Consumed.with(S, S));
                t.filter((k, v) -> Integer.parseInt(v) > 0).toStream().to("out", Produced.with(S, S));
                t.filterNot((k, v) -> Integer.parseInt(v) > 0, Materialized.as("non-positive")).toStream()
                    .mapValues(v -> "neg:" + v).to("out", Produced.with(S, S));
            },
            in("t", "a", "5", 1), in("t", "a", "-1", 2), in("t", "a", "-2", 3), in("t", "b", "-3", 4), in("t", "a", "7", 5));
        // 4. Sliding windows: out-of-order records update the affected windows newest first.
        run("sliding-out-of-order", b -> windowedOut(b.stream("in", Consumed.with(S, S)).groupByKey()
                .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(100))).count()),
            in("in", "a", "v", 0), in("in", "a", "v", 5), in("in", "a", "v", 12), in("in", "a", "v", 20),
            in("in", "a", "v", 8), in("in", "a", "v", 3));
        run("sliding-out-of-order-2", b -> windowedOut(b.stream("in", Consumed.with(S, S)).groupByKey()
                .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(100))).count()),
            in("in", "a", "v", 10), in("in", "a", "v", 30), in("in", "a", "v", 25), in("in", "a", "v", 15),
            in("in", "a", "v", 22), in("in", "a", "v", 5), in("in", "a", "v", 31), in("in", "a", "v", 30));
        // 5. KIP-962: null keys in left joins.
        run("stream-table-left-join-null-key", b -> b.stream("s", Consumed.with(S, S))
                .leftJoin(b.table("t", Consumed.with(S, S)), (x, y) -> x + "+" + y).to("out", Produced.with(S, S)),
            in("t", "a", "A", 0), in("s", null, "v1", 1), in("s", "a", "v2", 2), in("s", null, null, 3));
        run("stream-table-inner-join-null-key", b -> b.stream("s", Consumed.with(S, S))
                .join(b.table("t", Consumed.with(S, S)), (x, y) -> x + "+" + y).to("out", Produced.with(S, S)),
            in("t", "a", "A", 0), in("s", null, "v1", 1), in("s", "a", "v2", 2));
        run("stream-stream-left-join-null-key", b -> b.stream("left", Consumed.with(S, S))
                .leftJoin(b.stream("right", Consumed.with(S, S)), (x, y) -> x + "+" + y, jw).to("out", Produced.with(S, S)),
            in("left", null, "L1", 1), in("right", null, "R1", 2), in("left", "a", "L2", 3), in("right", "a", null, 4),
            in("left", "a", null, 5), in("left", "z", "Z", 100));
        run("stream-stream-outer-join-null-key", b -> b.stream("left", Consumed.with(S, S))
                .outerJoin(b.stream("right", Consumed.with(S, S)), (x, y) -> x + "+" + y, jw).to("out", Produced.with(S, S)),
            in("left", null, "L1", 1), in("right", null, "R1", 2), in("left", "z", "Z", 100));
        run("stream-stream-inner-join-null-key", b -> b.stream("left", Consumed.with(S, S))
                .join(b.stream("right", Consumed.with(S, S)), (x, y) -> x + "+" + y, jw).to("out", Produced.with(S, S)),
            in("left", null, "L1", 1), in("right", null, "R1", 2));
        run("table-table-left-join-null-key", b -> b.table("l", Consumed.with(S, S))
                .leftJoin(b.table("r", Consumed.with(S, S)), (x, y) -> x + "+" + y).toStream().to("out", Produced.with(S, S)),
            in("l", null, "L1", 1), in("l", "a", "L2", 2));
        // 9. Foreign-key joins (KIP-213): orders "product:qty" join products; updates and deletes of both sides.
        run("fk-join-inner-updates", FK_INNER, fkInputs());
        run("fk-join-left-updates", FK_LEFT, fkInputs());
        // A null foreign key (value "none"): KIP-962 made left joins emit it with a null right value.
        run("fk-join-left-null-fk", b -> b.table("orders", Consumed.with(S, S))
                .leftJoin(b.table("products", Consumed.with(S, S)), v -> v.equals("none") ? null : v, (o, p) -> o + "/" + p)
                .toStream().to("out", Produced.with(S, S)),
            in("orders", "o1", "none", 1), in("orders", "o2", "p1", 2), in("products", "p1", "P1", 3),
            in("orders", "o2", "none", 4), in("orders", "o1", "p1", 5), in("orders", "o1", null, 6));
        run("fk-join-inner-null-fk", b -> b.table("orders", Consumed.with(S, S))
                .join(b.table("products", Consumed.with(S, S)), v -> v.equals("none") ? null : v, (o, p) -> o + "/" + p)
                .toStream().to("out", Produced.with(S, S)),
            in("orders", "o1", "none", 1), in("orders", "o2", "p1", 2), in("products", "p1", "P1", 3),
            in("orders", "o2", "none", 4), in("orders", "o1", "p1", 5), in("orders", "o1", null, 6));
        // 8. Emit on window close (KIP-825): the aggregate processor emits each closed window once, from its store.
        //    The wall-clock throttle is off (interval 0): the driver's clock does not move.
        final Properties noThrottle = new Properties();
        noThrottle.put("__emit.interval.ms.kstreams.windowed.aggregation__", 0L);
        run("emit-on-window-close-time", noThrottle, b -> windowedOut(b.stream("in", Consumed.with(S, S)).groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
                .emitStrategy(EmitStrategy.onWindowClose()).count()),
            in("in", "a", "v", 1), in("in", "a", "v", 3), in("in", "b", "v", 4), in("in", "a", "v", 12),
            in("in", "b", "v", 15), in("in", "a", "v", 14), in("in", "c", "v", 16), in("in", "c", "v", 24),
            in("in", "a", "v", 26), in("in", "b", "v", 60), in("in", "a", "v", 61));
        run("emit-on-window-close-hopping", noThrottle, b -> windowedOut(b.stream("in", Consumed.with(S, S)).groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(2)).advanceBy(Duration.ofMillis(5)))
                .emitStrategy(EmitStrategy.onWindowClose()).count()),
            in("in", "a", "v", 1), in("in", "a", "v", 6), in("in", "b", "v", 9), in("in", "a", "v", 13),
            in("in", "b", "v", 17), in("in", "a", "v", 22), in("in", "a", "v", 40));
        run("emit-on-window-close-sliding", noThrottle, b -> windowedOut(b.stream("in", Consumed.with(S, S)).groupByKey()
                .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
                .emitStrategy(EmitStrategy.onWindowClose()).count()),
            in("in", "a", "v", 1), in("in", "a", "v", 5), in("in", "b", "v", 8), in("in", "a", "v", 14),
            in("in", "a", "v", 22), in("in", "b", "v", 30), in("in", "a", "v", 60));
        run("emit-on-window-close-session", noThrottle, b -> windowedOut(b.stream("in", Consumed.with(S, S)).groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(5), Duration.ofMillis(2)))
                .emitStrategy(EmitStrategy.onWindowClose()).count()),
            in("in", "a", "v", 1), in("in", "a", "v", 4), in("in", "b", "v", 6), in("in", "a", "v", 12),
            in("in", "b", "v", 20), in("in", "a", "v", 40));
        // Session windows: a session emitted at close can still be extended by an out-of-order record (its merged end
        // is not late), and is emitted again, merged; late records are dropped; sessions ending together come by start,
        // then key.
        run("emit-on-window-close-session-merge", noThrottle, b -> windowedOut(b.stream("in", Consumed.with(S, S))
                .groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(10)))
                .emitStrategy(EmitStrategy.onWindowClose()).count()),
            in("in", "a", "v", 0), in("in", "b", "v", 11), in("in", "a", "v", 8), in("in", "c", "v", 5),
            in("in", "c", "v", 8), in("in", "b", "v", 30), in("in", "a", "v", 2), in("in", "z", "v", 9),
            in("in", "y", "v", 9), in("in", "x", "v", 26), in("in", "d", "v", 26), in("in", "d", "v", 60));
        run("emit-on-window-close-session-grace", noThrottle, b -> windowedOut(b.stream("in", Consumed.with(S, S))
                .groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(5), Duration.ofMillis(10)))
                .emitStrategy(EmitStrategy.onWindowClose()).count()),
            in("in", "a", "v", 3), in("in", "b", "v", 10), in("in", "a", "v", 17), in("in", "b", "v", 19),
            in("in", "a", "v", 6), in("in", "b", "v", 2), in("in", "c", "v", 40), in("in", "b", "v", 20),
            in("in", "a", "v", 18), in("in", "c", "v", 100));
        // A table aggregation whose aggregate becomes null deletes the key and forwards the delete.
        run("table-aggregate-null-aggregate", b -> b.table("t", Consumed.with(S, S))
                .groupBy((k, v) -> KeyValue.pair(k, v), Grouped.with(S, S))
                .aggregate(() -> "", (k, v, agg) -> v.equals("x") ? null : agg + "+" + v,
                    (k, v, agg) -> agg + "-" + v, Materialized.with(S, S))
                .toStream().to("out", Produced.with(S, S)),
            in("t", "a", "1", 1), in("t", "a", "x", 2), in("t", "a", "2", 3), in("t", "a", null, 4),
            in("t", "b", "x", 5), in("t", "b", "3", 6), in("t", "c", null, 7), in("t", "a", "x", 8));
        run("table-reduce-null-aggregate", b -> b.table("t", Consumed.with(S, S))
                .groupBy((k, v) -> KeyValue.pair(k, v), Grouped.with(S, S))
                .reduce((x, y) -> y.equals("x") ? null : x + "+" + y, (x, y) -> x.equals(y) ? null : x + "-" + y,
                    Materialized.with(S, S))
                .toStream().to("out", Produced.with(S, S)),
            in("t", "a", "1", 1), in("t", "a", "x", 2), in("t", "a", "2", 3), in("t", "a", null, 4),
            in("t", "b", "3", 5), in("t", "b", "x", 6));
        run("emit-on-window-close-throttled", b -> windowedOut(b.stream("in", Consumed.with(S, S)).groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
                .emitStrategy(EmitStrategy.onWindowClose()).count()),
            in("in", "a", "v", 1), in("in", "a", "v", 20), in("in", "a", "v", 40));
    }
}
