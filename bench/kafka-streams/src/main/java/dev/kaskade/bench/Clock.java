package dev.kaskade.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The timed run's clock, as bench/rung-worker.ts keeps it: wall time, this JVM's CPU time, the broker's CPU time and
 * the machine's busy time, read at the first record ({@link #markStart}, on the stream thread), when every record is
 * processed ({@link #markDrained}) and once the instance is closed ({@link #markEnd}).
 */
final class Clock {
    /** A reading of everything the clock measures. */
    record Reading(long nanos, long ticks, Long brokerTicks, ProcStats.Machine machine) {
        static Reading now(List<Integer> brokerPids) {
            try {
                return new Reading(
                        System.nanoTime(),
                        ProcStats.cpuTicks("self"),
                        ProcStats.processesCpuTicks(brokerPids),
                        ProcStats.machineTicks());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A clock that measures nothing: the warm-up run's. */
    static final Clock NONE = new Clock(null);

    private final List<Integer> brokerPids;
    private volatile Reading start;
    private volatile long drainedNanos;
    private volatile Reading end;

    Clock(List<Integer> brokerPids) {
        this.brokerPids = brokerPids;
    }

    void markStart() {
        if (brokerPids != null && start == null) start = Reading.now(brokerPids);
    }

    void markDrained() {
        if (brokerPids != null && drainedNanos == 0) drainedNanos = System.nanoTime();
    }

    void markEnd() {
        if (brokerPids != null && start != null && end == null) end = Reading.now(brokerPids);
    }

    Reading start() {
        return start;
    }

    long drainedNanos() {
        return drainedNanos;
    }

    Reading end() {
        return end;
    }
}
