package dev.kaskade.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The same /proc accounting as bench/lib/proc-stats.ts, for the JVM (all its threads: GC and JIT included). */
final class ProcStats {
    private static final Pattern VM_HWM = Pattern.compile("^VmHWM:\\s+(\\d+)\\s+kB$", Pattern.MULTILINE);

    private ProcStats() {}

    /** utime + stime of a process ("self" or a pid), in clock ticks. */
    static long cpuTicks(String pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        // The command name may hold spaces and parentheses: count fields from the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** utime + stime of the broker's JVMs, or null when there are none or one cannot be read. */
    static Long processesCpuTicks(List<Integer> pids) {
        if (pids.isEmpty()) return null;
        long sum = 0;
        try {
            for (int pid : pids) sum += cpuTicks(Integer.toString(pid));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return sum;
    }

    /** Peak resident set size of this JVM (VmHWM), in MiB. */
    static double peakRssMb() throws IOException {
        Matcher m = VM_HWM.matcher(Files.readString(Path.of("/proc/self/status")));
        if (!m.find()) throw new IOException("no VmHWM in /proc/self/status");
        return Long.parseLong(m.group(1)) / 1024.0;
    }

    /** Busy and total clock ticks of the whole machine, and its cores, from /proc/stat. */
    record Machine(long busy, long total, int cores) {}

    static Machine machineTicks() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
        String[] f = lines.get(0).trim().split("\\s+");
        long total = 0;
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        for (int i = 1; i <= 8; i++) total += Long.parseLong(f[i]);
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        int cores = (int) lines.stream().filter(l -> l.matches("^cpu\\d+ .*")).count();
        return new Machine(total - idle, total, cores);
    }
}
