package dev.kaskade.bench;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * One run of a scenario with KafkaStreams: start it, wait until its stream thread has processed every input record,
 * close it. As Kaskade's DSL rungs do (bench/lib/kaskade-runner.ts' runUntilProcessed), nothing in the topology
 * counts: the end is seen by polling the thread's {@code process-total} metric (records processed, summed per
 * iteration of the thread's loop) every millisecond from this thread.
 */
final class StreamsRun {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

    /** Records processed so far, for the stall watchdog. */
    private volatile long processed;

    long processed() {
        return processed;
    }

    /** Runs to the end and returns the records processed; throws on any failure of the instance. */
    long execute(WorkerArgs args, WorkerArgs.Target target, Clock clock) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, target.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args.bootstrapServers);
        props.put(StreamsConfig.STATE_DIR_CONFIG, target.stateDir());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, args.guarantee);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, args.cacheMaxBytes);
        // Kaskade's rungs: 100 ms under exactly-once (Kafka Streams' default there too), else the 30 s default.
        if (args.guarantee.startsWith("exactly_once")) props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), args.batchSize);

        AtomicReference<Throwable> failure = new AtomicReference<>();
        KafkaStreams streams = new KafkaStreams(
                args.scenario.build(args, target.outputTopic(), new StartProbe(clock::markStart)), props);
        streams.setUncaughtExceptionHandler(e -> {
            failure.compareAndSet(null, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
                failure.compareAndSet(null, new IllegalStateException("KafkaStreams went to " + now));
            }
        });
        long done;
        try {
            streams.start();
            Metric processTotal = null;
            while (true) {
                Throwable f = failure.get();
                if (f != null) throw new IllegalStateException("KafkaStreams failed: " + f, f);
                // The thread registers its sensors once it runs; look the metric up until it is there.
                if (processTotal == null) processTotal = findProcessTotal(streams.metrics());
                long n = processTotal == null ? 0 : (long) ((Number) processTotal.metricValue()).doubleValue();
                processed = n;
                if (n >= args.processTarget) {
                    done = n;
                    break;
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
            clock.markDrained();
        } catch (Exception e) {
            streams.close(CLOSE_TIMEOUT);
            throw e;
        }
        boolean closed = streams.close(CLOSE_TIMEOUT);
        clock.markEnd();
        if (failure.get() != null) throw new IllegalStateException("KafkaStreams failed: " + failure.get());
        if (!closed) throw new IllegalStateException("KafkaStreams.close() timed out after " + CLOSE_TIMEOUT);
        return done;
    }

    private static Metric findProcessTotal(Map<MetricName, ? extends Metric> metrics) {
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName n = e.getKey();
            if (n.name().equals("process-total") && n.group().equals("stream-thread-metrics")) return e.getValue();
        }
        return null;
    }
}
