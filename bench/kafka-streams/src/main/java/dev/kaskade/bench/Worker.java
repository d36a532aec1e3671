package dev.kaskade.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One Kafka Streams rung in a JVM of its own, speaking bench/lib/worker-protocol.ts: the runner passes WorkerArgs as
 * JSON (one argument) and reads one JSON line (WorkerOutput) from stdout; exit code 0 on success, 1 on failure.
 *
 * <p>Unless the runner asks for a cold run, the scenario first runs once, untimed, under another application id and
 * output topic (the same input), so that the timed run finds the JIT warm, as a long-running application is.
 */
public final class Worker {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Worker() {}

    public static void main(String[] argv) {
        String rung = "unknown";
        AtomicReference<StreamsRun> current = new AtomicReference<>();
        try {
            if (argv.length != 1) throw new IllegalArgumentException("usage: Worker '<WorkerArgs as JSON>'");
            WorkerArgs args = WorkerArgs.parse(argv[0]);
            rung = args.rung;
            startWatchdog(args, current);
            if (args.warmup != null) {
                StreamsRun warmup = new StreamsRun();
                current.set(warmup);
                warmup.execute(args, args.warmup, Clock.NONE);
            }
            Clock clock = new Clock(args.brokerPids);
            StreamsRun timed = new StreamsRun();
            current.set(timed);
            long called = System.nanoTime();
            long records = timed.execute(args, args.timed, clock);
            finish(success(args, records, called, clock), 0);
        } catch (Throwable e) {
            long progress = current.get() == null ? 0 : current.get().processed();
            finish(failure(rung, e, progress), 1);
        }
    }

    private static Map<String, Object> success(WorkerArgs args, long records, long calledNanos, Clock clock)
            throws Exception {
        Clock.Reading start = clock.start();
        Clock.Reading end = clock.end();
        if (start == null || end == null) throw new IllegalStateException("no record reached the start probe");
        double ticks = args.clockTicksPerSecond;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.put("rung", args.rung);
        out.put("records", records);
        out.put("seconds", (end.nanos() - start.nanos()) / 1e9);
        out.put("drainedSeconds", (Math.min(clock.drainedNanos(), end.nanos()) - start.nanos()) / 1e9);
        out.put("startupSeconds", (start.nanos() - calledNanos) / 1e9);
        out.put("cpuSeconds", (end.ticks() - start.ticks()) / ticks);
        out.put("peakRssMb", ProcStats.peakRssMb());
        out.put(
                "brokerCpuSeconds",
                start.brokerTicks() == null || end.brokerTicks() == null
                        ? null
                        : (end.brokerTicks() - start.brokerTicks()) / ticks);
        ProcStats.Machine m0 = start.machine();
        ProcStats.Machine m1 = end.machine();
        out.put("machineBusyCores", (double) (m1.busy() - m0.busy()) / Math.max(1, m1.total() - m0.total()) * m1.cores());
        out.put("cores", m1.cores());
        return out;
    }

    private static Map<String, Object> failure(String rung, Throwable e, long progress) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", false);
        out.put("rung", rung);
        String message = e.getMessage() == null ? "" : e.getMessage().split("\n", 2)[0];
        out.put("error", e.getClass().getSimpleName() + ": " + message);
        out.put("progress", progress);
        return out;
    }

    private static void finish(Map<String, Object> output, int status) {
        try {
            System.out.println(JSON.writeValueAsString(output));
        } catch (Exception e) {
            System.out.println("{\"ok\":false,\"rung\":\"unknown\",\"error\":\"cannot print the result\",\"progress\":0}");
        }
        System.out.flush();
        // Kafka Streams' and RocksDB's threads may outlive a failure; the result is out, so leave.
        System.exit(status);
    }

    /** Fails the worker when the current run makes no progress for stallSeconds (a lost broker, a stuck close). */
    private static void startWatchdog(WorkerArgs args, AtomicReference<StreamsRun> current) {
        Thread watchdog = new Thread(() -> {
            long last = -1;
            long lastChange = System.nanoTime();
            StreamsRun watched = null;
            while (true) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                StreamsRun run = current.get();
                long p = run == null ? 0 : run.processed();
                long now = System.nanoTime();
                if (run != watched || p != last) {
                    watched = run;
                    last = p;
                    lastChange = now;
                } else if (now - lastChange > args.stallSeconds * 1_000_000_000L) {
                    String why = p >= args.processTarget
                            ? "stuck: all " + p + " records were processed, but closing did not end within "
                                    + args.stallSeconds + " s"
                            : "stalled: no progress for " + args.stallSeconds + " s at " + p + " of "
                                    + args.processTarget + " records";
                    finish(failure(args.rung, new IllegalStateException(why), p), 1);
                }
            }
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
