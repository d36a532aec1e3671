// Resource accounting of the current process from /proc (Linux): CPU time of all its threads (librdkafka's included)
// and the peak resident set size.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (`getconf CLK_TCK`, 100 nearly everywhere). */
export function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process (all threads; this one by default), in clock ticks. */
export function cpuTicks(pid: number | 'self' = 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: count fields from the last ')'. After it come
  // field 3 (state) onwards, so utime (field 14) and stime (field 15) are at indexes 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Peak resident set size (VmHWM) of this process, in MiB. */
export function peakRssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error('no VmHWM in /proc/self/status');
  return Number(match[1]) / 1024;
}

/** utime + stime of other processes (the broker's JVMs), in clock ticks; undefined when one cannot be read. */
export function processesCpuTicks(pids: readonly number[]): number | undefined {
  if (pids.length === 0) return undefined;
  try {
    return pids.reduce((sum, pid) => sum + cpuTicks(pid), 0);
  } catch {
    return undefined;
  }
}

/** Busy and total clock ticks of the whole machine (all cores), and its number of cores, from /proc/stat. */
export function machineTicks(): { busy: number; total: number; cores: number } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const f = lines[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const cores = lines.filter((l) => /^cpu\d/.test(l)).length;
  return { busy: total - f[3]! - f[4]!, total, cores };
}

/** utime + stime of each thread of this process, summed by thread name (`comm`: `node`, `rdk:broker1`, ...). */
export function threadTicks(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}
