package dev.kaskade.bench;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The bench's scenarios (Kafka Streams' SimpleBenchmark ones, each with a sink), written to match Kaskade's rungs in
 * bench/rungs/ node for node: the same serdes (4-byte big-endian int keys, byte values), windows and join windows.
 */
enum Scenario {
    /** kaskade-source-sink: source -> peek -> sink, bytes in and out (Processor API). */
    SOURCE_SINK("source-sink"),
    /** kaskade-kv-store: source -> get + put on a persistent KV store (logged; the builder's default: no cache) -> sink. */
    KV_STORE("kv-store"),
    /** dsl-count: stream -> groupByKey -> count -> toStream -> to. */
    COUNT("count"),
    /** dsl-windowed-count: 10 s windows hopping by 5 s, no grace. */
    WINDOWED_COUNT("windowed-count"),
    /** dsl-stream-table-join: the input stream left-joins the table topic. */
    STREAM_TABLE_JOIN("stream-table-join"),
    /** dsl-table-table-join: the split input as two tables, left-joined. */
    TABLE_TABLE_JOIN("table-table-join"),
    /** dsl-stream-stream-join: the split input as two streams, left-joined within 1 s, grace 24 h. */
    STREAM_STREAM_JOIN("stream-stream-join");

    private static final long WINDOW_SIZE_MS = 10_000;
    private static final long WINDOW_ADVANCE_MS = 5_000;
    private static final Duration JOIN_WINDOW = Duration.ofSeconds(1);
    private static final Duration JOIN_GRACE = Duration.ofHours(24);

    /** SimpleBenchmark's joiner: both values concatenated, or the one that is there. */
    private static final ValueJoiner<byte[], byte[], byte[]> CONCAT = (left, right) -> {
        if (left == null) return right == null ? new byte[0] : right;
        if (right == null) return left;
        byte[] out = new byte[left.length + right.length];
        System.arraycopy(left, 0, out, 0, left.length);
        System.arraycopy(right, 0, out, left.length, right.length);
        return out;
    };

    final String name;

    Scenario(String name) {
        this.name = name;
    }

    static Scenario fromName(String name) {
        for (Scenario s : values()) if (s.name.equals(name)) return s;
        throw new IllegalArgumentException("unknown Kafka Streams scenario \"" + name + "\"");
    }

    /** The topology reading the bench's topics and writing to {@code outputTopic}; sources' key serdes are probed. */
    Topology build(WorkerArgs args, String outputTopic, StartProbe probe) {
        Serde<Integer> keys = probe.wrap(Serdes.Integer());
        Serde<byte[]> values = Serdes.ByteArray();
        StreamsBuilder builder = new StreamsBuilder();
        switch (this) {
            case SOURCE_SINK -> {
                Serde<Bytes> raw = probe.wrap(Serdes.Bytes());
                return new Topology()
                        .addSource("source", raw.deserializer(), Serdes.Bytes().deserializer(), args.inputTopic)
                        .addProcessor("peek", Forward::new, "source")
                        .addSink("sink", outputTopic, Serdes.Bytes().serializer(), Serdes.Bytes().serializer(), "peek");
            }
            case KV_STORE -> {
                return new Topology()
                        .addSource("source", keys.deserializer(), values.deserializer(), args.inputTopic)
                        .addProcessor("get-put", GetPut::new, "source")
                        .addStateStore(
                                Stores.keyValueStoreBuilder(
                                        Stores.persistentKeyValueStore(GetPut.STORE), Serdes.Integer(), values),
                                "get-put")
                        .addSink("sink", outputTopic, Serdes.Integer().serializer(), values.serializer(), "get-put");
            }
            case COUNT -> builder.stream(args.inputTopic, Consumed.with(keys, values))
                    .groupByKey()
                    .count()
                    .toStream()
                    .to(outputTopic, Produced.with(Serdes.Integer(), Serdes.Long()));
            case WINDOWED_COUNT -> builder.stream(args.inputTopic, Consumed.with(keys, values))
                    .groupByKey()
                    .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(WINDOW_SIZE_MS))
                            .advanceBy(Duration.ofMillis(WINDOW_ADVANCE_MS)))
                    .count()
                    .toStream()
                    .to(outputTopic, Produced.with(
                            WindowedSerdes.timeWindowedSerdeFrom(Integer.class, WINDOW_SIZE_MS), Serdes.Long()));
            case STREAM_TABLE_JOIN -> {
                KTable<Integer, byte[]> table = builder.table(args.tableTopic, Consumed.with(keys, values));
                builder.stream(args.inputTopic, Consumed.with(keys, values))
                        .leftJoin(table, CONCAT)
                        .to(outputTopic, Produced.with(Serdes.Integer(), values));
            }
            case TABLE_TABLE_JOIN -> {
                KTable<Integer, byte[]> left = builder.table(args.leftTopic, Consumed.with(keys, values));
                KTable<Integer, byte[]> right = builder.table(args.rightTopic, Consumed.with(keys, values));
                left.leftJoin(right, CONCAT).toStream().to(outputTopic, Produced.with(Serdes.Integer(), values));
            }
            case STREAM_STREAM_JOIN -> {
                KStream<Integer, byte[]> left = builder.stream(args.leftTopic, Consumed.with(keys, values));
                KStream<Integer, byte[]> right = builder.stream(args.rightTopic, Consumed.with(keys, values));
                left.leftJoin(
                                right,
                                CONCAT,
                                JoinWindows.ofTimeDifferenceAndGrace(JOIN_WINDOW, JOIN_GRACE),
                                StreamJoined.with(Serdes.Integer(), values, values))
                        .to(outputTopic, Produced.with(Serdes.Integer(), values));
            }
        }
        return builder.build();
    }

    /** Forwards every record unchanged (Kafka Streams' peek, as kaskade-source-sink's processor). */
    private static final class Forward implements Processor<Bytes, Bytes, Bytes, Bytes> {
        private ProcessorContext<Bytes, Bytes> context;

        @Override
        public void init(ProcessorContext<Bytes, Bytes> context) {
            this.context = context;
        }

        @Override
        public void process(Record<Bytes, Bytes> record) {
            context.forward(record);
        }
    }

    /** One read and one write of the record's key, then forward (SimpleBenchmark's "processwithstatestore"). */
    private static final class GetPut implements Processor<Integer, byte[], Integer, byte[]> {
        static final String STORE = "store";
        private ProcessorContext<Integer, byte[]> context;
        private KeyValueStore<Integer, byte[]> store;

        @Override
        public void init(ProcessorContext<Integer, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<Integer, byte[]> record) {
            store.get(record.key());
            store.put(record.key(), record.value());
            context.forward(record);
        }
    }
}
